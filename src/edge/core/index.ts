export { EmbeddedEdge, type EmbeddedEdgeOptions, type WireEndpoint } from './embedded-edge.js';
