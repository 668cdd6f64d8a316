import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';
import { DashboardApp } from './app';
import { i18n } from './shared/i18n/i18n';

document.documentElement.lang = i18n.language;
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DashboardApp />
  </StrictMode>,
);
