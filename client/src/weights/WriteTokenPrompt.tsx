// Asked for when a write is refused for want of a token (401/403). Not a <form>: it sits inside the
// editor's form, so Enter in the field is handled here rather than submitting the weights.
import { useId, useState } from 'react';
import { getWriteToken, setWriteToken } from '../api/write-token.ts';

export function WriteTokenPrompt({ message, onSaved }: { message: string; onSaved: () => void }) {
  const [token, setToken] = useState(getWriteToken() ?? '');
  const id = useId();
  const save = () => {
    if (token.trim() === '') return;
    setWriteToken(token.trim());
    onSaved();
  };
  return (
    <div className="token-prompt apply-error">
      <p role="alert">
        {message.replace(/\.$/, '')}. Weight changes need the write token: the value of{' '}
        <code>MESHSCOPE_TOKEN</code>, or the one meshscope printed when it started.
      </p>
      <label htmlFor={id}>Write token</label>{' '}
      <input
        id={id}
        type="password"
        autoComplete="off"
        value={token}
        onChange={(e) => setToken(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            save();
          }
        }}
      />{' '}
      <button type="button" onClick={save} disabled={token.trim() === ''}>
        Save and retry
      </button>
    </div>
  );
}
