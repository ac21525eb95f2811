/**
 * Source of syntaxes/nix.tmLanguage.json (run `npx tsx syntaxes/src/generate.ts` after editing).
 *
 * TextMate grammars only see one line at a time, so structure is tracked with begin/end rules:
 * every bracket, `let … in`, string and binding (`name = value;`) is its own region. That is what
 * keeps a `}` or `;` inside a nested expression from closing the wrong thing.
 */
import {
  ATTR_PATH,
  BIND,
  FLOAT,
  GLOBAL_BUILTINS,
  IDENT,
  INT,
  MISSING_SEMICOLON,
  NEXT_BINDING,
  PATH_END,
  PATH_START,
  SEARCH_PATH,
  URI,
  word,
} from './regex';
import { type Grammar, type Rule, ref, scopes } from './textmate';

const ATTRIBUTE = 'entity.other.attribute-name.nix';
const INTERPOLATION = 'meta.embedded.interpolation.nix';
const DOUBLE_STRING = 'string.quoted.double.nix';
const PARAMETER = 'variable.parameter.function.nix';

/** `${ … }`; attribute names reuse it with an extra outer scope. */
function interpolation(scope: string): Rule {
  return {
    name: scope,
    begin: String.raw`\$\{`,
    beginCaptures: scopes('punctuation.section.embedded.begin.nix'),
    end: String.raw`\}`,
    endCaptures: scopes('punctuation.section.embedded.end.nix'),
    patterns: [ref('expression')],
  };
}

/** `"…"`; quoted attribute names reuse it with an extra outer scope. */
function doubleString(scope: string): Rule {
  return {
    name: scope,
    begin: '"',
    beginCaptures: scopes('punctuation.definition.string.begin.nix'),
    end: '"',
    endCaptures: scopes('punctuation.definition.string.end.nix'),
    patterns: [
      // Any character after `\` is escaped, including a line break.
      { name: 'constant.character.escape.nix', match: String.raw`\\[\s\S]` },
      ref('literal-dollars'),
      ref('interpolation'),
    ],
  };
}

/** A region ended by `;` that must not swallow the rest of the file when the `;` is missing. */
function semicolonTerminated(keyword: string, keywordScope: string, semicolon: string): Rule {
  return {
    begin: word(keyword),
    beginCaptures: scopes(keywordScope),
    end: `(;)|${MISSING_SEMICOLON}`,
    endCaptures: scopes(undefined, semicolon),
    patterns: [ref('expression')],
  };
}

const repository: Record<string, Rule> = {
  expression: {
    // Order matters where two rules match at the same column: the first listed wins.
    patterns: [
      ref('comments'),
      ref('string'),
      ref('indented-string'),
      ref('interpolation'),
      ref('uri'), // before lambda heads: `x:x` is a URI, `x: x` a function
      ref('lambda-head'),
      ref('let'),
      ref('with'),
      ref('assert'),
      ref('keywords'),
      ref('braces'),
      ref('list'),
      ref('parens'),
      ref('search-path'), // before `<` the operator
      ref('path'), // before numbers, identifiers and `/`: `a/b` and `1/2` are paths
      ref('number'),
      ref('operators'),
      ref('member'),
      ref('punctuation'),
      ref('constants'),
      ref('builtins'),
      ref('identifier'),
    ],
  },

  comments: {
    patterns: [
      {
        name: 'comment.block.documentation.nix',
        begin: String.raw`/\*\*(?![*/])`,
        end: String.raw`\*/`,
        captures: scopes('punctuation.definition.comment.nix'),
      },
      {
        name: 'comment.block.nix',
        begin: String.raw`/\*`,
        end: String.raw`\*/`,
        captures: scopes('punctuation.definition.comment.nix'),
      },
      {
        name: 'comment.line.number-sign.nix',
        match: '(#).*',
        captures: scopes(undefined, 'punctuation.definition.comment.nix'),
      },
    ],
  },

  string: doubleString(DOUBLE_STRING),

  'indented-string': {
    name: 'string.quoted.other.nix',
    begin: "''",
    beginCaptures: scopes('punctuation.definition.string.begin.nix'),
    // `'''`, `''$` and `''\` are escapes, not the closing quote.
    end: String.raw`''(?![$'\\])`,
    endCaptures: scopes('punctuation.definition.string.end.nix'),
    patterns: [
      { name: 'constant.character.escape.nix', match: String.raw`'''|''\$|''\\[\s\S]` },
      ref('literal-dollars'),
      ref('interpolation'),
    ],
  },

  // Nix reads `$$` as two literal dollars, so `$${x}` is not an interpolation (but `$$${x}` is).
  'literal-dollars': { match: String.raw`\$\$` },

  interpolation: interpolation(INTERPOLATION),

  uri: { name: 'string.unquoted.url.nix', match: URI },

  'search-path': {
    name: 'string.unquoted.spath.nix',
    match: SEARCH_PATH,
    captures: scopes(
      undefined,
      'punctuation.definition.string.begin.nix',
      undefined,
      'punctuation.definition.string.end.nix',
    ),
  },

  // A path runs on through literal segments and `${}` parts as long as nothing separates them.
  path: {
    name: 'string.unquoted.path.nix',
    begin: PATH_START,
    end: PATH_END,
    patterns: [ref('interpolation')],
  },

  'lambda-head': {
    patterns: [
      {
        match: String.raw`(${IDENT})\s*(:)`,
        captures: scopes(undefined, PARAMETER, 'punctuation.separator.function.nix'),
      },
      {
        match: String.raw`(${IDENT})\s*(@)`,
        captures: scopes(undefined, PARAMETER, 'punctuation.separator.at.nix'),
      },
    ],
  },

  let: {
    patterns: [
      // Legacy `let { …; body = …; }` has no `in` to wait for.
      { name: 'keyword.other.let.nix', match: String.raw`${word('let')}(?=\s*\{)` },
      {
        begin: word('let'),
        beginCaptures: scopes('keyword.other.let.nix'),
        end: word('in'),
        endCaptures: scopes('keyword.other.in.nix'),
        patterns: [ref('bindings'), ref('expression')],
      },
    ],
  },

  // Own regions so that the `;` in `a = with pkgs; [ … ];` does not end the binding.
  with: semicolonTerminated('with', 'keyword.other.with.nix', 'punctuation.separator.with.nix'),
  assert: semicolonTerminated(
    'assert',
    'keyword.control.assert.nix',
    'punctuation.separator.assert.nix',
  ),

  keywords: {
    patterns: [
      { name: 'keyword.control.if.nix', match: word('if') },
      { name: 'keyword.control.then.nix', match: word('then') },
      { name: 'keyword.control.else.nix', match: word('else') },
      { name: 'keyword.other.rec.nix', match: word('rec') },
      { name: 'keyword.operator.or.nix', match: word('or') },
      // Only reached outside their usual context, e.g. while the code is being typed.
      { name: 'keyword.other.in.nix', match: word('in') },
      { name: 'keyword.other.inherit.nix', match: word('inherit') },
    ],
  },

  // `{` opens either an attribute set or a function's formals; which one is often only known
  // lines later (`}:`), so one region accepts both and tells them apart name by name.
  braces: {
    begin: String.raw`\{`,
    beginCaptures: scopes('punctuation.section.braces.begin.nix'),
    end: String.raw`(\})(?:\s*(@)\s*(${IDENT}))?(?:\s*(:))?`,
    endCaptures: scopes(
      undefined,
      'punctuation.section.braces.end.nix',
      'punctuation.separator.at.nix',
      PARAMETER,
      'punctuation.separator.function.nix',
    ),
    patterns: [ref('bindings'), ref('formals'), ref('expression')],
  },

  formals: {
    patterns: [
      {
        begin: String.raw`\?`,
        beginCaptures: scopes('keyword.operator.default.nix'),
        end: '(?=[,}])',
        patterns: [ref('expression')],
      },
      { name: 'keyword.operator.ellipsis.nix', match: String.raw`\.\.\.` },
      // In a valid attribute set a bare name is always followed by `=` or `.`; so a name followed
      // by `,`, `?`, `}` or nothing else on the line is a parameter.
      { name: PARAMETER, match: String.raw`${IDENT}(?=\s*(?:[,?}#]|/\*|$))` },
      { name: 'punctuation.separator.comma.nix', match: ',' },
    ],
  },

  // Lists and parentheses also end, without consuming it, at a closing bracket of another kind:
  // valid code never has one there, and an unclosed `[` then cannot swallow the enclosing `}`.
  list: {
    begin: String.raw`\[`,
    beginCaptures: scopes('punctuation.section.brackets.begin.nix'),
    end: String.raw`\]|(?=[)}])`,
    endCaptures: scopes('punctuation.section.brackets.end.nix'),
    patterns: [ref('expression')],
  },

  parens: {
    begin: String.raw`\(`,
    beginCaptures: scopes('punctuation.section.parens.begin.nix'),
    end: String.raw`\)|(?=[\]}])`,
    endCaptures: scopes('punctuation.section.parens.end.nix'),
    patterns: [ref('expression')],
  },

  bindings: { patterns: [ref('inherit'), ref('binding')] },

  inherit: {
    begin: word('inherit'),
    beginCaptures: scopes('keyword.other.inherit.nix'),
    end: `(;)|${MISSING_SEMICOLON}`,
    endCaptures: scopes(undefined, 'punctuation.terminator.binding.nix'),
    patterns: [ref('comments'), ref('parens'), ref('attribute-name')],
  },

  binding: {
    // Starts where a whole `attr.path =` follows; `in` is excluded so a stray `in = …` cannot
    // start a binding that its own end pattern would close at once.
    begin: String.raw`(?!${word('in')})(?=${ATTR_PATH}\s*${BIND})`,
    end: `(;)|${MISSING_SEMICOLON}|${NEXT_BINDING}`,
    endCaptures: scopes(undefined, 'punctuation.terminator.binding.nix'),
    patterns: [
      {
        // `\G` only matches where the binding began, so the name is read once, then the value.
        begin: String.raw`\G`,
        end: BIND,
        endCaptures: scopes('keyword.operator.bind.nix'),
        patterns: [ref('comments'), ref('attribute-name')],
      },
      ref('expression'),
    ],
  },

  'attribute-name': {
    patterns: [
      { name: ATTRIBUTE, match: IDENT },
      doubleString(`${ATTRIBUTE} ${DOUBLE_STRING}`),
      interpolation(`${ATTRIBUTE} ${INTERPOLATION}`),
      { name: 'punctuation.accessor.nix', match: String.raw`\.` },
    ],
  },

  number: { name: 'constant.numeric.nix', match: `${FLOAT}|${INT}` },

  operators: {
    // Longest first where one operator is a prefix of another.
    patterns: [
      { name: 'keyword.operator.update.nix', match: '//' },
      { name: 'keyword.operator.concat.nix', match: String.raw`\+\+` },
      { name: 'keyword.operator.implication.nix', match: '->' },
      { name: 'keyword.operator.pipe.nix', match: String.raw`\|>|<\|` },
      { name: 'keyword.operator.comparison.nix', match: '==|!=|<=|>=|<|>' },
      { name: 'keyword.operator.logical.nix', match: String.raw`&&|\|\||!` },
      { name: 'keyword.operator.has-attr.nix', match: String.raw`\?` },
      { name: 'keyword.operator.arithmetic.nix', match: String.raw`[-+*/]` },
      { name: 'keyword.operator.bind.nix', match: '=' },
    ],
  },

  // `.name` after an expression selects an attribute, so it is never a builtin or keyword.
  member: {
    match: String.raw`(\.)(?:\s*(${IDENT}))?`,
    captures: scopes(undefined, 'punctuation.accessor.nix', 'variable.other.member.nix'),
  },

  punctuation: {
    patterns: [
      { name: 'punctuation.terminator.nix', match: ';' },
      { name: 'punctuation.separator.comma.nix', match: ',' },
      { name: 'punctuation.separator.function.nix', match: ':' },
      { name: 'punctuation.separator.at.nix', match: '@' },
    ],
  },

  constants: { name: 'constant.language.nix', match: word('true', 'false', 'null') },

  builtins: {
    patterns: [
      {
        match: String.raw`(${word('builtins')})(?:\s*(\.)\s*(${IDENT}))?`,
        captures: scopes(
          undefined,
          'support.constant.builtins.nix',
          'punctuation.accessor.nix',
          'support.function.builtin.nix',
        ),
      },
      { name: 'support.function.builtin.nix', match: word(...GLOBAL_BUILTINS) },
    ],
  },

  identifier: { name: 'variable.other.nix', match: IDENT },
};

export const nixGrammar: Grammar = {
  name: 'Nix',
  scopeName: 'source.nix',
  fileTypes: ['nix'],
  // Bindings are allowed at the top so that snippets such as `services.foo.enable = true;`
  // (common in Markdown) highlight too; valid whole files never start that way.
  patterns: [ref('bindings'), ref('expression')],
  repository,
};
