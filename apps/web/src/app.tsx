import { QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { AppShell, Loading } from './components/app-shell.tsx';
import { InboxPage } from './features/inbox/inbox-page.tsx';
import { SignInPage } from './features/onboarding/sign-in-page.tsx';
import { StatusPage } from './features/status/status-page.tsx';
import { createQueryClient } from './lib/query-client.ts';

// The calendar (with the recurrence engine) and the ops page load on first visit: the sign-in → inbox
// path, where time to first email matters, does not download them.
const CalendarPage = lazy(() =>
  import('./features/calendar/calendar-page.tsx').then((module) => ({ default: module.CalendarPage })),
);
const OpsPage = lazy(() =>
  import('./features/ops/ops-page.tsx').then((module) => ({ default: module.OpsPage })),
);

export function App() {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<SignInPage />} />
            <Route element={<AppShell />}>
              <Route path="/inbox" element={<InboxPage />} />
              <Route path="/calendar" element={<CalendarPage />} />
              <Route path="/ops" element={<OpsPage />} />
            </Route>
            <Route path="/status" element={<StatusPage />} />
            <Route path="*" element={<SignInPage />} />
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
