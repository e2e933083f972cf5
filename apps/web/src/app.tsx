import { BrowserRouter, Route, Routes } from 'react-router';
import { InboxPage } from './features/inbox/inbox-page.tsx';
import { SignInPage } from './features/onboarding/sign-in-page.tsx';
import { StatusPage } from './features/status/status-page.tsx';

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/" element={<SignInPage />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route path="/status" element={<StatusPage />} />
        <Route path="*" element={<SignInPage />} />
      </Routes>
    </BrowserRouter>
  );
}
