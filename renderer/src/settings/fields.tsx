/** Form fields whose error message sits right next to them and is tied to the input for screen readers. */
import type { ComponentChildren } from 'preact';
import { Icon } from '../components/Icon.js';

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="field-error" id={id} data-field-error="">
      <Icon name="alert" /> {message}
    </p>
  );
}

export function TextField({
  id,
  label,
  value,
  onInput,
  error,
  hint,
  type = 'text',
  disabled,
  placeholder,
  inputMode,
  autoComplete = 'off',
  trailing,
  badge,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  type?: 'text' | 'password' | 'url';
  disabled?: boolean;
  placeholder?: string;
  inputMode?: 'numeric' | 'text' | 'url';
  autoComplete?: string;
  trailing?: ComponentChildren;
  badge?: ComponentChildren;
}) {
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <div class="field-label-row">
        <label for={id}>{label}</label>
        {badge}
      </div>
      <div class="field-input-row">
        <input
          id={id}
          name={id}
          // Preact's types split <input> by type; each of ours takes a text value.
          type={type as 'text'}
          value={value}
          onInput={(e) => onInput((e.target as HTMLInputElement).value)}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={describedBy || undefined}
          disabled={disabled}
          placeholder={placeholder}
          inputMode={inputMode}
          autoComplete={autoComplete}
          spellcheck={false}
        />
        {trailing}
      </div>
      <FieldError id={`${id}-error`} message={error} />
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function CheckField({
  id,
  label,
  checked,
  onChange,
  hint,
  error,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ComponentChildren;
  error?: string | undefined;
}) {
  return (
    <div class={`field field-check${error ? ' field-invalid' : ''}`}>
      <input
        id={id}
        name={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange((e.target as HTMLInputElement).checked)}
        aria-describedby={
          [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
        }
      />
      <div>
        <label for={id}>{label}</label>
        {hint && (
          <p class="field-hint" id={`${id}-hint`}>
            {hint}
          </p>
        )}
        <FieldError id={`${id}-error`} message={error} />
      </div>
    </div>
  );
}

export function StoredBadge({ stored }: { stored: boolean }) {
  return stored ? (
    <span class="stored-badge stored-yes">
      <Icon name="lock" /> stored
    </span>
  ) : (
    <span class="stored-badge stored-no">not stored</span>
  );
}
