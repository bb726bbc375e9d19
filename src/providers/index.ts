import type { Options } from '../options.ts';
import type { ClusterProvider } from './provider.ts';
import { kindProvider } from './kind.ts';
import { kwokProvider } from './kwok.ts';
import { existingProvider } from './existing.ts';

export function providerFor(opts: Options, root: string): ClusterProvider {
  switch (opts.provider) {
    case 'kind':
      return kindProvider(root, opts.k8sVersion, opts.imageLoad);
    case 'kwok':
      return kwokProvider();
    case 'existing':
      return existingProvider(opts.kubeconfig!, opts.context);
  }
}
