// First: before any schema exists (see the module).
import './lib/zod-jitless.ts';
// Then the tokens and the shared styles, before any feature's stylesheet (which may override them).
import './styles/tokens.css';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
