"""Python-Markdown's inline passes in linear time: an extension that replaces its "inline"
tree processor, and smarty's (Markdown 3.x), with the same code minus two quadratic steps.

`InlineProcessor.run` takes its work from the front of a Python list (`list.pop(0)`, each
call moving the whole list) and finds a child's place among its siblings with
`list(parent).index(child)`: a document of 40,000 blocks (20,000 headings and their
paragraphs) spent 60 s there. Here the work is a deque and the place is the index the loop
is at (ElementTree iterates children by index, so it is the same place). Everything else
is Python-Markdown's own, called through its methods; the tests compare the output with
the original's.
"""

from __future__ import annotations

from collections import deque

from markdown import treeprocessors, util
from markdown.extensions import Extension


class LinearInlineProcessor(treeprocessors.InlineProcessor):
    def run(self, tree, ancestors=None):
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
