/** The project's nixpkgs pin, next to its Nix file (a module of its own: the cache key reads it). */
export const lockFileName = 'nixpkgs.lock.json';
