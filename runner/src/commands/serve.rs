//! `lockstep serve`: the web reviewer on 127.0.0.1. All analysis runs in the browser; this
//! only hands out the embedded static files.

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr};

use anyhow::{Context as _, bail};
use axum::http::{StatusCode, Uri, header};
use axum::response::IntoResponse;

use crate::cli::ServeArgs;
use crate::web;

pub(crate) fn run(args: &ServeArgs) -> anyhow::Result<u8> {
    if !web::is_embedded() {
        bail!(
            "this `lockstep` was built without the web reviewer.\n\
             Build it with `scripts/serve` (sets everything up, builds the web files, then serves), or by hand:\n  \
             trunk build --release --offline && cargo build -p lockstep-runner"
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args.port))?;
    Ok(crate::exit::OK)
}

async fn serve(port: u16) -> anyhow::Result<()> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let url = format!("http://{}/", listener.local_addr()?);
    {
        // Tests and scripts read this line to learn the port.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "Lockstep reviewer on {url}")?;
        stdout.flush()?;
    }
    let app = axum::Router::new().fallback(file);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn file(uri: Uri) -> axum::response::Response {
    match web::asset(uri.path().trim_start_matches('/')) {
        Some((bytes, content_type)) => {
            ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
