// The kubectl streaming protocols, server side: exec/attach (SPDY/3.1 v1-v4, WebSocket channel
// protocols up to v5) and port-forward (SPDY/3.1, SPDY tunnelled in WebSocket, WebSocket channels).
// The node agent's streaming server terminates them here; see README.md beside this file.
export { remoteCommandQuery, portForwardPorts } from './query.js';
export type { RemoteCommandOptions } from './query.js';
export {
  serveRemoteCommand, execStatus, ResizeEmitter, SPDY_REMOTE_COMMAND_PROTOCOLS, WEBSOCKET_REMOTE_COMMAND_PROTOCOLS,
} from './remotecommand.js';
export type { TerminalSize, RemoteCommandStreams, RemoteCommandResult, ServeRemoteCommandOptions, ExecStatus } from './remotecommand.js';
export { servePortForward, PORT_FORWARD_PROTOCOL, PORT_FORWARD_TUNNEL_PROTOCOL, WEBSOCKET_PORT_FORWARD_PROTOCOLS } from './portforward.js';
export type { PortForwardOptions, Dial } from './portforward.js';
export { rejectUpgrade, isWebSocketRequest, isSpdyRequest } from './upgrade.js';
