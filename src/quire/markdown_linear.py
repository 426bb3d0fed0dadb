"""Python-Markdown's inline passes in linear time: an extension that replaces its "inline"
tree processor, and smarty's (Markdown 3.x), with the same code minus two quadratic steps
and one slow one.

`InlineProcessor.run` takes its work from the front of a Python list (`list.pop(0)`, each
call moving the whole list) and finds a child's place among its siblings with
`list(parent).index(child)`: a document of 40,000 blocks (20,000 headings and their
paragraphs) spent 60 s there. Here the work is a deque and the place is the index the loop
is at (ElementTree iterates children by index, so it is the same place). Everything else
is Python-Markdown's own, called through its methods; the tests compare the output with
the original's.

The slow step: every run of text is tried against every pattern (about 20 with quire's
extensions) through `__applyPattern`, and most find nothing; Pro Git's 500 KB of Markdown
made 189,000 such calls, 40 % of its conversion. Here a pattern whose expression finds no
match from the current position is skipped before the call: `__applyPattern` would have
returned the text unchanged, "not matched", start 0 (its `finditer` finds nothing either).
"""

from __future__ import annotations

from collections import deque

from markdown import inlinepatterns, treeprocessors, util
from markdown.extensions import Extension


class LinearInlineProcessor(treeprocessors.InlineProcessor):
    def run(self, tree, ancestors=None):
        self._expressions = [(pattern, pattern.getCompiledRegExp()
                              if isinstance(pattern, inlinepatterns.InlineProcessor) else None)
                             for pattern in self.inlinePatterns]
        self.stashed_nodes = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = deque([(tree, tree_parents)])
        self._InlineProcessor__build_ancestors(tree, tree_parents)
        handle = self._InlineProcessor__handleInline
        placeholders = self._InlineProcessor__processPlaceholders
        while stack:
            current, parents = stack.popleft()
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            queue = []
            index = 0
            while index < len(current):
                child = current[index]
                if child.text and not isinstance(child.text, util.AtomicString):
                    self.ancestors.append(child.tag.lower())
                    text = child.text
                    child.text = None
                    found = placeholders(handle(text), child)
                    for item in found:
                        self.parent_map[item[0]] = child
                    stack.extend(found)
                    queue.append((child, found))
                    self.ancestors.pop()
                if child.tail:
                    tail = handle(child.tail)
                    dummy = treeprocessors.etree.Element("d")
                    child.tail = None
                    result = placeholders(tail, dummy, False)
                    if dummy.tail:
                        child.tail = dummy.tail
                    result.reverse()
                    for new in result:
                        self.parent_map[new[0]] = current
                        current.insert(index + 1, new[0])
                if len(child):
                    self.parent_map[child] = current
                    stack.append((child, self.ancestors[:]))
                index += 1
            for element, found in queue:
                for i, obj in enumerate(found):
                    element.insert(i, obj[0])
        return tree

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        """`InlineProcessor.__handleInline`, skipping the patterns that cannot match."""
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern
        patterns = self._expressions
        start, count = 0, len(patterns)
        while patternIndex < count:
            pattern, expression = patterns[patternIndex]
            if expression is not None and expression.search(data, start) is None:
                patternIndex, start = patternIndex + 1, 0
                continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


class LinearInline(Extension):
    def extendMarkdown(self, md):
        """Replace every inline pass: Markdown's own and those of extensions (smarty's),
        each keeping its patterns and priority. Put this extension after the others."""
        for item in list(md.treeprocessors._priority):
            old = md.treeprocessors[item.name]
            if type(old) is treeprocessors.InlineProcessor:
                new = LinearInlineProcessor(md)
                new.inlinePatterns = old.inlinePatterns
                md.treeprocessors.register(new, item.name, item.priority)
