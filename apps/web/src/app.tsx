import { BrowserRouter, Route, Routes } from 'react-router';
import { CalendarPage } from './features/calendar/calendar-page.tsx';
import { InboxPage } from './features/inbox/inbox-page.tsx';
import { SignInPage } from './features/onboarding/sign-in-page.tsx';
import { OpsPage } from './features/ops/ops-page.tsx';
import { StatusPage } from './features/status/status-page.tsx';

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/" element={<SignInPage />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route path="/calendar" element={<CalendarPage />} />
        <Route path="/ops" element={<OpsPage />} />
        <Route path="/status" element={<StatusPage />} />
        <Route path="*" element={<SignInPage />} />
      </Routes>
    </BrowserRouter>
  );
}
