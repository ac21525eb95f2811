import type { NixpkgsLock } from '../../src/core/pin';

/** A lock as the real nixos-24.05 branch gave it (the values research notes quote). */
export const sampleLock: NixpkgsLock = {
  version: 1,
  original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.05' },
  locked: {
    type: 'tarball',
    url: 'https://github.com/NixOS/nixpkgs/archive/ddd77820cac22534a0713aac63476fc3ae9b7c35.tar.gz',
    rev: 'ddd77820cac22534a0713aac63476fc3ae9b7c35',
    narHash: 'sha256-Eo7k/Ip/g94YNAziV4v+pHv3wtV7inBMQtKmoTv5axM=',
    lastModified: 1718452800,
  },
  release: '24.05',
};
