export { seedUser } from './seed-user.ts';
export { createTestDatabase, type TestDatabase } from './test-database.ts';
