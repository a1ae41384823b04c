-- Each service owns its database (DESIGN §1): one database per service on the shared server.
CREATE DATABASE corepod_auth OWNER corepod;
CREATE DATABASE corepod_users OWNER corepod;
