// Dev-only test harness shared by the services' integration suites.
export { call, client, type CallOptions, type HttpClient, type Reply } from './http-client';
export { waitFor } from './wait-for';
export { listeningUrl, runEntry, type ServiceProcess } from './service-process';
