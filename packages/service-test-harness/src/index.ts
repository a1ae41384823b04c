// Dev-only test harness shared by the services' integration suites.
export { call, client, type CallOptions, type HttpClient, type Reply } from './http-client';
export { waitFor } from './wait-for';
export { listeningUrl, runEntry, type ServiceProcess } from './service-process';
export { runHostileCorpus, corpusSeed, violations, type CorpusOptions, type CorpusReport, type ServerUnderTest } from './hostile-http/hostile-corpus';
export { hostileCase, toWire, describeCase, type CaseSpace, type HostileCase, type HostileRequest, type Timing, type Framing } from './hostile-http/hostile-cases';
export { playCase, type CaseOutcome } from './hostile-http/hostile-client';
export { readResponses, header, type ReadOutcome, type ReadResponse } from './hostile-http/http-response-reader';
