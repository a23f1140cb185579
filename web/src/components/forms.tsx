// Form fields. Every input has a <label>; errors are tied to their input with aria-describedby and aria-invalid.
import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { formatDateTime } from '../format';

function describedBy(...ids: (string | false | undefined | null)[]): string | undefined {
  const s = ids.filter(Boolean).join(' ');
  return s || undefined;
}

interface BaseProps {
  id: string;
  label: ComponentChildren;
  error?: string;
  hint?: ComponentChildren;
  required?: boolean;
  testid?: string;
  class?: string;
}

function Shell({ id, label, error, hint, required, children, class: cls }: BaseProps & { children: ComponentChildren }) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}${cls ? ` ${cls}` : ''}`}>
      <label for={id}>
        {label}
        {required && <span class="required">（必須）</span>}
      </label>
      <Hint id={id} hint={hint} />
      {children}
      <FieldError id={id} error={error} testid={`error-${id}`} />
    </div>
  );
}

function Hint({ id, hint }: { id: string; hint?: ComponentChildren }) {
  if (!hint) return null;
  return (
    <p class="hint" id={`${id}-hint`}>
      {hint}
    </p>
  );
}

function FieldError({ id, error, testid }: { id: string; error?: string; testid?: string }) {
  if (!error) return null;
  return (
    <p class="field-error" id={`${id}-error`} data-testid={testid}>
      {error}
    </p>
  );
}

/** What every control carries: id, name, testid, and aria-invalid / aria-describedby for its hint and error. */
function control(p: Omit<BaseProps, 'label'> & { name?: string }) {
  return {
    id: p.id,
    name: p.name ?? p.id,
    'data-testid': p.testid,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(p.hint ? `${p.id}-hint` : false, p.error ? `${p.id}-error` : false),
  };
}

/** What the text controls (input and textarea) share besides control(): the value, its limits and the input handler. */
function textControl(p: { value: string; onInput: (value: string) => void; required?: boolean; readOnly?: boolean; maxLength?: number }) {
  return {
    value: p.value,
    required: p.required,
    readOnly: p.readOnly,
    maxLength: p.maxLength,
    onInput: (e: Event) => p.onInput((e.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
  };
}

type InputProps = BaseProps & {
  value: string;
  onInput: (value: string) => void;
  type?: string;
  autoComplete?: string;
  inputMode?: JSX.HTMLAttributes<HTMLInputElement>['inputMode'];
  readOnly?: boolean;
  disabled?: boolean;
  placeholder?: string;
  maxLength?: number;
  pattern?: string;
  min?: string | number;
  max?: string | number;
  name?: string;
};

export function TextField(p: InputProps) {
  return (
    <Shell {...p}>
      <input
        {...control(p)}
        {...textControl(p)}
        type={p.type ?? 'text'}
        disabled={p.disabled}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode}
        placeholder={p.placeholder}
        pattern={p.pattern}
        min={p.min}
        max={p.max}
      />
    </Shell>
  );
}

type AreaProps = BaseProps & {
  value: string;
  onInput: (value: string) => void;
  rows?: number;
  maxLength?: number;
  readOnly?: boolean;
};

export function TextArea(p: AreaProps) {
  return (
    <Shell {...p}>
      <textarea
        {...control(p)}
        {...textControl(p)}
        rows={p.rows ?? 4}
      />
    </Shell>
  );
}

/** The field for a 6-digit confirmation code from an authenticator app. */
export function OneTimeCodeField(p: Pick<InputProps, 'id' | 'label' | 'value' | 'onInput' | 'error' | 'testid'>) {
  return <TextField {...p} required inputMode="numeric" autoComplete="one-time-code" maxLength={8} />;
}

type SelectProps = BaseProps & {
  value: string;
  onChange: (value: string) => void;
  options: [string, string][];
  /** Text of the leading empty option (undefined: no empty option). */
  empty?: string;
  disabled?: boolean;
};

export function SelectField(p: SelectProps) {
  return (
    <Shell {...p}>
      <select
        {...control(p)}
        value={p.value}
        required={p.required}
        disabled={p.disabled}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {p.empty !== undefined && <option value="">{p.empty}</option>}
        {p.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </Shell>
  );
}

type CheckProps = Omit<BaseProps, 'required'> & {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
};

export function CheckboxField(p: CheckProps) {
  return (
    <div class={`field field-check${p.error ? ' field-invalid' : ''}`}>
      <input
        {...control(p)}
        type="checkbox"
        checked={p.checked}
        disabled={p.disabled}
        onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={p.id}>{p.label}</label>
      <Hint id={p.id} hint={p.hint} />
      <FieldError id={p.id} error={p.error} />
    </div>
  );
}

/**
 * Error summary (role="alert"): the message, plus field errors that could not be tied to an input.
 * shownFields are the fields already shown next to their inputs (not repeated here).
 */
export function ErrorSummary({
  error,
  shownFields,
  testid = 'error-summary',
}: {
  error: unknown;
  shownFields?: string[];
  testid?: string;
}) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const rest =
    error instanceof ApiError ? error.fields.filter((f) => !(shownFields ?? []).includes(f.field)) : [];
  const locked = error instanceof ApiError ? error.body.locked_until : undefined;
  return (
    <div class="alert alert-error" role="alert" data-testid={testid}>
      <p>{message}</p>
      {typeof locked === 'string' && locked && <LockedNote until={locked} />}
      {rest.length > 0 && (
        <ul>
          {rest.map((f, i) => (
            <li key={i}>
              {f.line ? <span class="field-name">{f.line} 行目 </span> : null}
              {f.field && (f.line || !/^[A-Za-z0-9_.[\]-]+$/.test(f.field)) && <span class="field-name">{f.field}: </span>}
              {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}


function LockedNote({ until }: { until: string }) {
  return <p>ロックの解除: {formatDateTime(until)}</p>;
}

/** Success notice (role="status"). */
export function Notice({ children, testid }: { children: ComponentChildren; testid?: string }) {
  return (
    <div class="alert alert-ok" role="status" data-testid={testid}>
      {children}
    </div>
  );
}

/** The row of buttons under a form: the submit button, any further buttons, and with onCancel a 取り消す button. */
export function FormActions({
  label,
  busy,
  testid,
  kind = 'primary',
  onCancel,
  children,
}: {
  label: ComponentChildren;
  busy?: boolean;
  testid?: string;
  /** primary: btn-primary; danger: btn-danger; plain: just btn. */
  kind?: 'primary' | 'danger' | 'plain';
  onCancel?: () => void;
  children?: ComponentChildren;
}) {
  return (
    <div class="actions">
      <button type="submit" class={kind === 'plain' ? 'btn' : `btn btn-${kind}`} disabled={busy} data-testid={testid}>
        {label}
      </button>
      {children}
      {onCancel && (
        <button type="button" class="btn" onClick={onCancel}>
          取り消す
        </button>
      )}
    </div>
  );
}

/**
 * A form's action against the API: the last error (with its messages per field) and whether it is running.
 * run() clears the error, marks the action busy, awaits it, keeps what it throws (or hands it to onError)
 * and clears busy. Checks done before sending stay outside run().
 */
export function useAction() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields: Record<string, string> = error instanceof ApiError ? error.fieldMap() : {};
  const run = async (action: () => Promise<void>, onError: (err: unknown) => void = setError) => {
    setError(null);
    setBusy(true);
    try {
      await action();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, setError, busy, fields, run };
}
