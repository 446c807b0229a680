/**
 * Element observers shared by the charts: their width (to size the drawing) and whether they are
 * on screen (charts scrolled out of view skip redraws). Each returns its cleanup, so it can be
 * returned from a Svelte `$effect` as is.
 */

/** Report `element`'s client width now and after every resize. */
export function observeWidth(element: HTMLElement, onWidth: (width: number) => void): () => void {
  const observer = new ResizeObserver(() => onWidth(element.clientWidth));
  observer.observe(element);
  onWidth(element.clientWidth);
  return () => observer.disconnect();
}

/** Report whether `element` intersects the viewport whenever that changes. */
export function observeVisibility(element: Element, onVisible: (visible: boolean) => void): () => void {
  const observer = new IntersectionObserver((entries) => {
    onVisible(entries.some((entry) => entry.isIntersecting));
  });
  observer.observe(element);
  return () => observer.disconnect();
}
