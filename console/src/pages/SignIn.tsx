/** Sign in with an API key: kept in this tab's session storage, never in a URL or a log. */
import { useState, type FormEvent } from 'react';
import { session } from '../api.js';

export function SignIn({ error, onSignedIn }: { error?: string; onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    session.signIn(token.trim());
    onSignedIn();
  };
  return (
    <main className="sign-in">
      <h1>irflow</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">API key</label>
        <input id="token" name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit">Sign in</button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
