/** The database watch other capabilities report outages through (the WebSocket route tells open pages). */
export { DatabaseStatus } from './database-status.ts';
