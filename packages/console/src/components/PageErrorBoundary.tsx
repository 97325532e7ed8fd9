/**
 * Catches a page that fails to render, most often a lazily loaded chunk that is gone because the
 * server was upgraded while this console was open. Without it React unmounts everything and the
 * agent is left with a blank page; with it they get a message and a Reload button.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { t } from '../i18n/index.ts';

interface Props {
  children: ReactNode;
}

export class PageErrorBoundary extends Component<Props, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error('Samepage console: a page failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="boot">
        <div className="card page-error" role="alert">
          <h1>{t.pageLoadFailed}</h1>
          <p className="muted">{t.pageLoadFailedHint}</p>
          <button type="button" className="button button-primary" onClick={() => window.location.reload()}>
            {t.reloadPage}
          </button>
        </div>
      </div>
    );
  }
}
