// Asked for when a write is refused for want of a token (401/403).
import { useId, useState } from 'react';
import { getWriteToken, setWriteToken } from '../api/write-token.ts';

export function WriteTokenPrompt({ message, onSaved }: { message: string; onSaved: () => void }) {
  const [token, setToken] = useState(getWriteToken() ?? '');
  const id = useId();
  return (
    <form
      className="token-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        setWriteToken(token.trim());
        onSaved();
      }}
    >
      <p role="alert">
        {message} Weight changes need the write token: the value of <code>MESHSCOPE_TOKEN</code>, or the one
        meshscope printed when it started.
      </p>
      <label htmlFor={id}>Write token</label>{' '}
      <input
        id={id}
        type="password"
        autoComplete="off"
        value={token}
        onChange={(e) => setToken(e.target.value)}
      />{' '}
      <button type="submit" disabled={token.trim() === ''}>
        Save and retry
      </button>
    </form>
  );
}
