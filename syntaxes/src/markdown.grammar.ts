/**
 * Source of syntaxes/nix.markdown.tmLanguage.json: highlights Markdown fenced code blocks whose
 * info string starts with `nix` using source.nix. VS Code loads it into text.html.markdown via the
 * `injectTo` contribution; `L:` puts it ahead of Markdown's own, uncoloured, fenced-block rule.
 */
import { type Grammar, scopes } from './textmate';

const FENCE_SCOPE = 'punctuation.definition.markdown';
// Plain strings, since String.raw would keep the backslash of an escaped backtick in the regex.
/** Three or more backticks, or three or more tildes. */
const FENCE = '(`{3,}|~{3,})';
/** What may follow the language in the info string, e.g. ` title="flake.nix"` or `{.numbered}`. */
const INFO_REST = '([\\s{][^`]*)?';

export const markdownInjection: Grammar = {
  scopeName: 'markdown.nix.codeblock',
  injectionSelector: 'L:text.html.markdown',
  patterns: [{ include: '#fenced-nix' }],
  repository: {
    'fenced-nix': {
      name: 'markup.fenced_code.block.markdown',
      // Groups: 2 indentation, 3 fence, 4 language, 5 the rest of the info string (`nix {…}`).
      begin: String.raw`(^|\G)(\s*)${FENCE}\s*(?i:(nix))${INFO_REST}$`,
      beginCaptures: scopes(
        undefined,
        undefined,
        undefined,
        FENCE_SCOPE,
        'fenced_code.block.language.markdown',
        'fenced_code.block.language.attributes.markdown',
      ),
      end: String.raw`(^|\G)(\2|\s{0,3})(\3)\s*$`,
      endCaptures: scopes(undefined, undefined, undefined, FENCE_SCOPE),
      patterns: [
        {
          // A `while` region is re-checked at each line start, so a closing fence ends the block
          // even inside an unterminated Nix string or bracket.
          begin: String.raw`\G`,
          while: String.raw`(^|\G)(?!\s*${FENCE}\s*$)`,
          contentName: 'meta.embedded.block.nix',
          patterns: [{ include: 'source.nix' }],
        },
      ],
    },
  },
};
