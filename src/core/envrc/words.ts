/** One logical line of an `.envrc`: continuation lines joined, numbered from its first line. */
export interface EnvrcLine {
  readonly line: number;
  readonly text: string;
}

/** A line split into shell words, or why it cannot be read without running a shell. */
export type Words = { readonly words: string[] } | { readonly problem: string };

/** Joins `\`-continued lines; keeps the number of the first physical line. */
export function logicalLines(content: string): EnvrcLine[] {
  const lines: EnvrcLine[] = [];
  let pending: EnvrcLine | undefined;
  content.split(/\r?\n/).forEach((raw, index) => {
    const continued = /(^|[^\\])(\\\\)*\\$/.test(raw);
    const part = continued ? raw.slice(0, -1) : raw;
    pending = pending
      ? { line: pending.line, text: `${pending.text}${part}` }
      : { line: index + 1, text: part };
    if (!continued) {
      lines.push(pending);
      pending = undefined;
    }
  });
  if (pending) lines.push(pending);
  return lines;
}

/**
 * Splits a line into words as a shell would, for the forms an `.envrc` uses for `use nix` and
 * `use flake`: quotes, backslashes and comments. Anything that needs the shell to run
 * (expansions, substitutions, several commands) is a problem, never guessed at.
 */
export function shellWords(text: string): Words {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    if (c === '#' && !inWord) break;
    if (';&|<>()`'.includes(c)) return { problem: `it needs a shell to run (\`${c}\`)` };
    if (c === '$') return { problem: 'it uses a shell expansion (`$`)' };
    inWord = true;
    if (c === '\\') {
      word += text[++i] ?? '';
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { problem: 'a quote is not closed' };
      word += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j] ?? '';
        if (d === '$' || d === '`') return { problem: 'it uses a shell expansion (`$`)' };
        if (d === '\\' && '"\\$`'.includes(text[j + 1] ?? '')) j++;
        word += text[j] ?? '';
      }
      if (j >= text.length) return { problem: 'a quote is not closed' };
      i = j;
    } else {
      word += c;
    }
  }
  if (inWord) words.push(word);
  return { words };
}
