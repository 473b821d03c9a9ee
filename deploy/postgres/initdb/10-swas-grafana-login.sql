-- Grafana's login for the demo stack (docker-compose.yml): a member of swas_reader only, so the
-- inventory dashboard reads the reporting views and nothing else. swas_reader is created here first
-- (the migrations create it only if it does not exist, then grant it the views), so the login can
-- join it before the worker has migrated. Runs once, when the Postgres volume is initialised.
-- Outside the demo, create your own login: create role NAME login password '...' in role swas_reader;
create role swas_reader nologin;
create role swas_grafana login password 'swas_grafana' in role swas_reader;
