/**
 * Realtime: the event bus (LISTEN/NOTIFY fan-out every capability publishes through) and the WebSocket route.
 * It depends on no capability that publishes: the snapshot's progress is passed in.
 */
export { EventBus } from './event-bus.ts';
export type { SnapshotProgress } from './snapshot.ts';
export { type RealtimeOptions, realtimeRoutes } from './ws-routes.ts';
