export { nextHop } from './next-hop.js';
export { responseDestination } from './response-destination.js';
