export { UdpTransport, MAX_DATAGRAM, type Peer } from './udp-transport.js';
