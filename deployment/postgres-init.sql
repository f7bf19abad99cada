-- promptcanary's own database and role beside Temporal's (used by compose.yml).
CREATE ROLE promptcanary LOGIN PASSWORD 'promptcanary';
CREATE DATABASE promptcanary OWNER promptcanary;
