// Public API of pod-proxy: build the edge from a config (tests, pod-supervisor) without listening.
export { createProxy, type Proxy, type ProxyDeps, type ListeningAddresses } from './proxy';
export { loadConfig, type ProxyConfig, type RouteConfig, type TlsConfig } from './config';
export { EdgeMetrics } from './metrics';
export { TokenBuckets } from './token-buckets';
export { normaliseTarget } from './path-normaliser';
