import { h } from './dom';

/**
 * A path that shortens in the middle: the directory gives way (ellipsis at its end) before the
 * file name does, so "/home/…/node_modules/…/libvips-cpp.so.8" keeps what tells mappings apart.
 * The whole path is in the title. Paths come from the process's own files: text nodes only.
 */
export function pathText(name: string): HTMLElement {
  const slash = name.lastIndexOf('/');
  const dir = slash > 0 ? name.slice(0, slash + 1) : '';
  const base = slash > 0 ? name.slice(slash + 1) : name;
  return h(
    'span',
    { class: 'mapping-path', attrs: { title: name } },
    dir && h('span', { class: 'path-dir' }, dir),
    h('span', { class: 'path-base' }, base),
  );
}
