-- The web console's login for the demo stack (docker-compose.yml, service `console`): a member of
-- swas_reader only, so the console reads the reporting views and nothing else (10- created the role).
-- Outside the demo, create your own: create role NAME login password '...' in role swas_reader;
create role swas_console login password 'swas_console' in role swas_reader;
