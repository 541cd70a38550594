/** The headless web server: the contract over HTTP + server-sent events, /healthz and /metrics. */
export {
  DEFAULT_HOST,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_STATIC_DIR,
  startWebServer,
  type WebServer,
  type WebServerOptions,
} from './web-server.js';
