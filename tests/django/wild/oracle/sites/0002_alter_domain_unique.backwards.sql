BEGIN;
--
-- Alter field domain on site
--
DROP INDEX IF EXISTS "django_site_domain_a2e37b91_like";
COMMIT;
