/** `{{ name }}` placeholders: letters, digits, underscores and dots, optional spaces inside the braces. */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_.]*)\s*\}\}/g;
const ANY_BRACES = /\{\{|\}\}/g;

export type Variables = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** The variables a text uses, in order of first appearance. */
export function placeholdersOf(...texts: (string | null | undefined)[]): string[] {
  const names: string[] = [];
  for (const text of texts) {
    if (!text) continue;
    for (const match of text.matchAll(PLACEHOLDER)) {
      const name = match[1]!;
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** Braces that do not form a valid placeholder (`{{ }}`, `{{1x}}`, an unclosed `{{`): a template mistake. */
export function malformedPlaceholders(text: string): string[] {
  const stripped = text.replace(PLACEHOLDER, '');
  const problems: string[] = [];
  let match: RegExpExecArray | null;
  ANY_BRACES.lastIndex = 0;
  while ((match = ANY_BRACES.exec(stripped)) !== null) {
    problems.push(stripped.slice(Math.max(0, match.index - 10), match.index + 12));
  }
  return problems;
}

export class MissingVariablesError extends Error {
  constructor(readonly missing: string[]) {
    super(`Missing template variable${missing.length === 1 ? '' : 's'}: ${missing.join(', ')}`);
    this.name = 'MissingVariablesError';
  }
}

/**
 * Replaces every placeholder by its variable. A variable that is missing (or null) is an error naming
 * every such variable: a message is never sent with a hole in it.
 */
export function render(text: string, variables: Variables): string {
  const missing = placeholdersOf(text).filter(
    (name) => variables[name] === undefined || variables[name] === null,
  );
  if (missing.length > 0) throw new MissingVariablesError(missing);
  return text.replace(PLACEHOLDER, (_, name: string) => String(variables[name]));
}

/** Renders a subject and body together, reporting every missing variable of both at once. */
export function renderMessage(template: { subject: string | null; body: string }, variables: Variables) {
  const missing = placeholdersOf(template.subject, template.body).filter(
    (name) => variables[name] === undefined || variables[name] === null,
  );
  if (missing.length > 0) throw new MissingVariablesError(missing);
  return {
    subject: template.subject === null ? null : render(template.subject, variables),
    body: render(template.body, variables),
  };
}
