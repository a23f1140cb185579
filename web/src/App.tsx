// The whole app: session check, forced redirects (temporary password, two-factor auth), header and navigation, routes.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { onAuthProblem, post, setCsrfToken } from './api';
import { Loading } from './components/common';
import { roleLabel } from './labels';
import { Link, match, navigate, useLocation } from './router';
import {
  ADMIN_ROLES,
  APPROVER_ROLES,
  AUDIT_ROLES,
  EXCEPTION_ROLES,
  SessionContext,
  canSubmit,
  fetchSession,
  hasAny,
  useSession,
} from './session';
import type { Session } from './types';
import { SignInPage } from './pages/SignIn';
import { PasswordPage } from './pages/Password';
import { TotpPage } from './pages/Totp';
import { DashboardPage } from './pages/Dashboard';
import { RegistersPage } from './pages/Registers';
import { RequestFormPage } from './pages/RequestForm';
import { MyRequestsPage } from './pages/MyRequests';
import { InboxPage } from './pages/Inbox';
import { RequestDetailPage } from './pages/RequestDetail';
import { IncidentsPage } from './pages/Incidents';
import { IncidentDetailPage } from './pages/IncidentDetail';
import { PublicReportPage } from './pages/PublicReport';
import { ExceptionsPage } from './pages/Exceptions';
import { AuditPage } from './pages/Audit';
import { PolicyPage } from './pages/Policy';
import { AccountsPage } from './pages/Accounts';

interface NavItem {
  href: string;
  label: string;
  show: (s: Session) => boolean;
  /** Pages whose path starts with this also count as the current page. */
  prefix?: string;
}

const NAV: NavItem[] = [
  { href: '/', label: 'ダッシュボード', show: () => true },
  { href: '/requests/new', label: '申請', show: canSubmit },
  { href: '/requests', label: '自分の申請', show: canSubmit },
  { href: '/inbox', label: '承認', show: (s) => hasAny(s, APPROVER_ROLES) },
  { href: '/registers', label: '台帳', show: () => true, prefix: '/registers' },
  { href: '/incidents', label: 'インシデント', show: () => true, prefix: '/incidents' },
  { href: '/exceptions', label: '例外措置', show: (s) => hasAny(s, EXCEPTION_ROLES) },
  { href: '/audit', label: '監査ログ', show: (s) => hasAny(s, AUDIT_ROLES) },
  { href: '/policy', label: 'ポリシー', show: () => true },
  { href: '/accounts', label: 'アカウント管理', show: (s) => hasAny(s, ADMIN_ROLES) },
];

function isCurrent(item: NavItem, path: string): boolean {
  if (item.href === path) return true;
  if (item.prefix && path.startsWith(item.prefix)) return true;
  return false;
}

export function App() {
  const loc = useLocation();
  if (loc.path.startsWith('/public/')) {
    // Reports from residents etc.: used without signing in; the session is not queried.
    return (
      <PublicShell>
        {match('/public/report', loc.path) ? <PublicReportPage /> : <NotFound />}
      </PublicShell>
    );
  }
  return <SignedInApp />;
}

function SignedInApp() {
  const loc = useLocation();
  const [session, setSession] = useState<Session | null>(null);
  const [checked, setChecked] = useState(false);

  const set = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrf_token);
    setSession(s);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const s = await fetchSession();
      setSession(s);
      return s;
    } catch {
      setCsrfToken(null);
      setSession(null);
      return null;
    } finally {
      setChecked(true);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    onAuthProblem((error) => {
      if (error.code === 'unauthenticated') {
        setCsrfToken(null);
        setSession(null);
      } else {
        void refresh();
      }
    });
    return () => onAuthProblem(null);
  }, [refresh]);

  // Forced destinations: not signed in → sign-in, temporary password → password change, then TOTP enrolment.
  const forced = useMemo(() => {
    if (!checked) return null;
    if (!session) return loc.path === '/signin' ? null : '/signin';
    if (session.must_change_password) return loc.path === '/password' ? null : '/password';
    if (session.must_enroll_totp) return loc.path === '/totp' ? null : '/totp';
    if (loc.path === '/signin') return loc.query.get('next') || '/';
    return null;
  }, [checked, session, loc.path, loc.query]);

  useEffect(() => {
    if (!forced) return;
    if (forced === '/signin' && loc.path !== '/' && loc.path !== '/signin') {
      navigate(`/signin?next=${encodeURIComponent(loc.path + (loc.href.includes('?') ? loc.href.slice(loc.href.indexOf('?')) : ''))}`, true);
    } else {
      navigate(forced.startsWith('/') && !forced.startsWith('//') ? forced : '/', true);
    }
  }, [forced]);

  const ctx = useMemo(() => ({ session, refresh, set }), [session, refresh, set]);

  if (!checked || forced) {
    return (
      <div class="boot">
        <Loading />
      </div>
    );
  }

  if (!session) {
    return (
      <SessionContext.Provider value={ctx}>
        <PublicShell>
          <SignInPage />
        </PublicShell>
      </SessionContext.Provider>
    );
  }

  const restricted = session.must_change_password || session.must_enroll_totp;
  return (
    <SessionContext.Provider value={ctx}>
      <Shell session={session} path={loc.path} restricted={!!restricted}>
        <Routes path={loc.path} session={session} />
      </Shell>
    </SessionContext.Provider>
  );
}

function Routes({ path, session }: { path: string; session: Session }) {
  let m: Record<string, string> | null;
  if (path === '/') return <DashboardPage />;
  if (path === '/password') return <PasswordPage />;
  if (path === '/totp') return <TotpPage />;
  if (path === '/registers') return <RegistersPage />;
  if ((m = match('/registers/:register', path))) return <RegistersPage register={m.register} />;
  if (path === '/requests/new') return <RequestFormPage />;
  if (path === '/requests') return <MyRequestsPage />;
  if ((m = match('/requests/:id', path))) return <RequestDetailPage id={m.id} />;
  if (path === '/inbox') return <InboxPage />;
  if (path === '/incidents') return <IncidentsPage />;
  if ((m = match('/incidents/:id', path))) return <IncidentDetailPage id={m.id} />;
  if (path === '/exceptions') return <ExceptionsPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/policy') return <PolicyPage />;
  if (path === '/accounts')
    return hasAny(session, ADMIN_ROLES) ? <AccountsPage /> : <Forbidden />;
  return <NotFound />;
}

function useFocusHeading(path: string) {
  const first = useRef(true);
  useEffect(() => {
    // After navigating, move focus to the new page's heading (for screen readers and keyboard use).
    // Not on first load (so the page is read from the top).
    if (first.current) {
      first.current = false;
      return;
    }
    const t = window.setTimeout(() => {
      const h = document.querySelector<HTMLElement>('main h1');
      if (h && document.activeElement === document.body) h.focus({ preventScroll: true });
    }, 0);
    return () => window.clearTimeout(t);
  }, [path]);
}

function Shell({
  session,
  path,
  restricted,
  children,
}: {
  session: Session;
  path: string;
  restricted: boolean;
  children: ComponentChildren;
}) {
  const { set } = useSession();
  useFocusHeading(path);
  const items = restricted ? [] : NAV.filter((n) => n.show(session));
  const [menuOpen, setMenuOpen] = useState(false);
  const signOut = async () => {
    try {
      await post('/auth/sign-out', undefined, { quiet: true });
    } catch {
      // Treat it as signed out even if the session had already expired.
    }
    set(null);
    navigate('/signin', true);
  };
  const section = session.person.section_name || session.person.section || '';
  return (
    <>
      <SkipLink />
      <header class="site-header">
        <div class="brand">
          <Link href="/" class="brand-link">
            <BrandName />
          </Link>
        </div>
        <div class="user" data-testid="user-box">
          <span class="user-name" data-testid="user-name">
            {session.person.name}
          </span>
          {section && (
            <span class="user-section" data-testid="user-section">
              {section}
            </span>
          )}
          {session.roles.length > 0 && (
            <span class="user-roles">{[...new Set(session.roles.map((r) => r.title || roleLabel(r.role)))].join('・')}</span>
          )}
          {session.privileged && <span class="badge badge-privileged">特権</span>}
          {!restricted && (
            <div class="user-menu">
              <button
                type="button"
                class="btn btn-ghost"
                aria-expanded={menuOpen ? 'true' : 'false'}
                aria-controls="user-menu-list"
                onClick={() => setMenuOpen(!menuOpen)}
              >
                設定
              </button>
              {menuOpen && (
                <ul id="user-menu-list" class="user-menu-list">
                  <li>
                    <Link href="/password" onClick={() => setMenuOpen(false)}>
                      パスワード変更
                    </Link>
                  </li>
                  <li>
                    <Link href="/totp" onClick={() => setMenuOpen(false)}>
                      二要素認証の設定
                    </Link>
                  </li>
                </ul>
              )}
            </div>
          )}
          <button type="button" class="btn btn-ghost" data-testid="sign-out" onClick={signOut}>
            サインアウト
          </button>
        </div>
      </header>
      {items.length > 0 && (
        <nav class="site-nav" aria-label="メインメニュー">
          <ul>
            {items.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={isCurrent(n, path) ? 'page' : undefined} data-testid={`nav-${n.href}`}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer class="site-footer">
        <p>時刻はすべて日本標準時（JST）で表示しています。</p>
      </footer>
    </>
  );
}

function SkipLink() {
  return (
    <a class="skip-link" href="#main">
      本文へ移動
    </a>
  );
}

function BrandName() {
  return (
    <>
      mamori <span class="brand-sub">情報セキュリティポリシー管理</span>
    </>
  );
}

function PublicShell({ children }: { children: ComponentChildren }) {
  return (
    <>
      <SkipLink />
      <header class="site-header">
        <div class="brand">
          <span class="brand-link">
            <BrandName />
          </span>
        </div>
      </header>
      <main id="main" tabIndex={-1} class="narrow">
        {children}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <section>
      <h1 tabIndex={-1}>ページが見つかりません</h1>
      <p>
        お探しのページはありません。<Link href="/">ダッシュボードへ戻る</Link>
      </p>
    </section>
  );
}

function Forbidden() {
  return (
    <section>
      <h1 tabIndex={-1}>この画面を表示する権限がありません</h1>
      <p>
        <Link href="/">ダッシュボードへ戻る</Link>
      </p>
    </section>
  );
}
