import { Suspense, lazy, useEffect, useMemo, useState } from 'react';
import { fetchCurrentUser, logOut, logOutEverywhere, type User } from './api.ts';
import { t } from './i18n/index.ts';
import { navigate, useRoute, type Route } from './router.ts';
import { SessionController } from './session/session-controller.ts';
import { SessionContext } from './session/use-session.ts';
import { AppShell } from './components/AppShell.tsx';
import { PageErrorBoundary } from './components/PageErrorBoundary.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { installReplicaTestHook } from './replica/test-hook.ts';

// The live view carries the replayer (most of the bundle): load it only when a session starts.
type SessionPageModule = typeof import('./pages/SessionPage.tsx');
let sessionPageModule: SessionPageModule | null = null;
const loadSessionPage = () =>
  import('./pages/SessionPage.tsx').then((m) => {
    sessionPageModule = m;
    return m;
  });
const preloadSessionPage = () => void loadSessionPage();
const LazySessionPage = lazy(async () => ({ default: (await loadSessionPage()).SessionPage }));

/**
 * The live view, without a Suspense boundary once its code is loaded (it is preloaded at sign-in):
 * React throttles a Suspense reveal by up to 300 ms, which was most of the join time.
 */
function SessionPageOrLoading({ sessionId, loading }: { sessionId: string; loading: string }) {
  const loaded = sessionPageModule;
  if (loaded) return <loaded.SessionPage sessionId={sessionId} />;
  return (
    <Suspense fallback={<div className="boot">{loading}</div>}>
      <LazySessionPage sessionId={sessionId} />
    </Suspense>
  );
}
const WatchPage = lazy(async () => ({ default: (await import('./pages/WatchPage.tsx')).WatchPage }));
const PastSessionPage = lazy(async () => ({ default: (await import('./pages/PastSessionPage.tsx')).PastSessionPage }));
const RecordingPage = lazy(async () => ({ default: (await import('./pages/RecordingPage.tsx')).RecordingPage }));
const InboxPage = lazy(async () => ({ default: (await import('./pages/InboxPage.tsx')).InboxPage }));
const MessagePage = lazy(async () => ({ default: (await import('./pages/MessagePage.tsx')).MessagePage }));
const SharedPage = lazy(async () => ({ default: (await import('./pages/SharedPage.tsx')).SharedPage }));
const AdminRoutes = lazy(async () => ({ default: (await import('./pages/admin/AdminRoutes.tsx')).AdminRoutes }));

type Auth = { status: 'loading' } | { status: 'signed_out' } | { status: 'signed_in'; user: User };

export function App() {
  const controller = useMemo(() => new SessionController(), []);
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>({ status: 'loading' });
  // Where to go after signing in (a helpdesk /join/:code link survives the login screen).
  const [afterLogin, setAfterLogin] = useState<Route>({ name: 'home' });

  useEffect(() => installReplicaTestHook(controller), [controller]);
  // Fetch the live view's code while the agent is still typing a code: joining is then only
  // the network and the replica's rebuild.
  useEffect(() => {
    if (auth.status === 'signed_in') preloadSessionPage();
  }, [auth.status]);

  useEffect(() => {
    let cancelled = false;
    void fetchCurrentUser().then((user) => {
      if (!cancelled) setAuth(user ? { status: 'signed_in', user } : { status: 'signed_out' });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    if (route.name === 'watch') return; // a guest's link needs no login
    if (auth.status === 'signed_out' && route.name !== 'login') {
      // Links from elsewhere (a helpdesk's join link, a colleague's share link) survive the login screen.
      setAfterLogin(route.name === 'join' || route.name === 'shared' || route.name === 'message' || route.name === 'inbox' ? route : { name: 'home' });
      navigate({ name: 'login' }, { replace: true });
    } else if (auth.status === 'signed_in' && (route.name === 'login' || route.name === 'not_found')) {
      navigate({ name: 'home' }, { replace: true });
    }
  }, [auth.status, route]);

  if (route.name === 'watch') {
    return (
      <PageErrorBoundary>
        <Suspense fallback={<div className="boot">{t.loading}</div>}>
          <WatchPage token={route.token} />
        </Suspense>
      </PageErrorBoundary>
    );
  }

  if (auth.status === 'loading') {
    return <div className="boot" role="status">{t.loading}</div>;
  }

  if (auth.status === 'signed_out' || route.name === 'login') {
    return (
      <LoginPage
        onSignedIn={(user) => {
          setAuth({ status: 'signed_in', user });
          navigate(afterLogin, { replace: true });
        }}
      />
    );
  }

  const signOut = async () => {
    controller.leave();
    await logOut();
    setAuth({ status: 'signed_out' });
    setAfterLogin({ name: 'home' });
    navigate({ name: 'login' }, { replace: true });
  };

  const signOutEverywhere = async () => {
    if (!(await logOutEverywhere())) return false;
    controller.leave();
    setAuth({ status: 'signed_out' });
    setAfterLogin({ name: 'home' });
    navigate({ name: 'login' }, { replace: true });
    return true;
  };

  const canViewRecordings = auth.user.permissions.includes('recordings.view');
  return (
    <SessionContext.Provider value={controller}>
      <AppShell user={auth.user} onLogOut={() => void signOut()} onLogOutEverywhere={signOutEverywhere}>
        {/* keyed by page: another page gets a fresh try */}
        <PageErrorBoundary key={route.name}>
        {route.name.startsWith('admin_') ? (
          <Suspense fallback={<div className="boot">{t.loading}</div>}>
            <AdminRoutes route={route} user={auth.user} />
          </Suspense>
        ) : route.name === 'session' ? (
          <SessionPageOrLoading sessionId={route.sessionId} loading={t.loading} />
        ) : route.name === 'session_detail' ? (
          <Suspense fallback={<div className="boot">{t.loading}</div>}>
            <PastSessionPage sessionId={route.sessionId} canViewRecordings={canViewRecordings} />
          </Suspense>
        ) : route.name === 'inbox' || route.name === 'message' || route.name === 'shared' ? (
          <Suspense fallback={<div className="boot">{t.loading}</div>}>
            {route.name === 'inbox' ? (
              <InboxPage canViewSessions={auth.user.permissions.includes('session.view')} />
            ) : route.name === 'message' ? (
              <MessagePage key={route.messageId} messageId={route.messageId} canReply={auth.user.permissions.includes('messages.reply')} />
            ) : (
              <SharedPage key={route.shareId} shareId={route.shareId} permissions={auth.user.permissions} />
            )}
          </Suspense>
        ) : route.name === 'recording' ? (
          <Suspense fallback={<div className="boot">{t.loading}</div>}>
            <RecordingPage sessionId={route.sessionId} />
          </Suspense>
        ) : (
          <HomePage autoJoinCode={route.name === 'join' ? route.code : null} onJoinStart={preloadSessionPage} canViewRecordings={canViewRecordings} />
        )}
        </PageErrorBoundary>
      </AppShell>
    </SessionContext.Provider>
  );
}
