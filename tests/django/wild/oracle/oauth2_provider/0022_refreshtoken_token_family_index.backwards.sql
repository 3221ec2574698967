BEGIN;
--
-- Create index oauth2_prov_token_f_996e8a_idx on field(s) token_family of model refreshtoken
--
DROP INDEX IF EXISTS "oauth2_prov_token_f_996e8a_idx";
COMMIT;
