import { StatusPage } from './features/status/status-page.tsx';

export function App() {
  return <StatusPage />;
}
