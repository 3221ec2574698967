//! Mounts the reviewer; everything else lives in the library so tests can mount it too.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(lockstep_web::App);
}
