// Form fields. Every input has a <label>; errors are tied to their input with aria-describedby and aria-invalid.
import type { ComponentChildren, JSX } from 'preact';
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
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children}
      {error && (
        <p class="field-error" id={`${id}-error`} data-testid={`error-${id}`}>
          {error}
        </p>
      )}
    </div>
  );
}

function aria(id: string, error?: string, hint?: unknown) {
  return {
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(hint ? `${id}-hint` : false, error ? `${id}-error` : false),
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
        id={p.id}
        name={p.name ?? p.id}
        type={p.type ?? 'text'}
        value={p.value}
        required={p.required}
        readOnly={p.readOnly}
        disabled={p.disabled}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode}
        placeholder={p.placeholder}
        maxLength={p.maxLength}
        pattern={p.pattern}
        min={p.min}
        max={p.max}
        data-testid={p.testid}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
        {...aria(p.id, p.error, p.hint)}
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
        id={p.id}
        name={p.id}
        rows={p.rows ?? 4}
        value={p.value}
        required={p.required}
        readOnly={p.readOnly}
        maxLength={p.maxLength}
        data-testid={p.testid}
        onInput={(e) => p.onInput((e.currentTarget as HTMLTextAreaElement).value)}
        {...aria(p.id, p.error, p.hint)}
      />
    </Shell>
  );
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
        id={p.id}
        name={p.id}
        value={p.value}
        required={p.required}
        disabled={p.disabled}
        data-testid={p.testid}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}
        {...aria(p.id, p.error, p.hint)}
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
        id={p.id}
        name={p.id}
        type="checkbox"
        checked={p.checked}
        disabled={p.disabled}
        data-testid={p.testid}
        onChange={(e) => p.onChange((e.currentTarget as HTMLInputElement).checked)}
        {...aria(p.id, p.error, p.hint)}
      />
      <label for={p.id}>{p.label}</label>
      {p.hint && (
        <p class="hint" id={`${p.id}-hint`}>
          {p.hint}
        </p>
      )}
      {p.error && (
        <p class="field-error" id={`${p.id}-error`}>
          {p.error}
        </p>
      )}
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
