"""Canonical, multilingual named entities: knowledge base and rules, then statistical NER; docs/entities.md.

extractor.py  EntityExtractor: text -> EntityMention tuple (the stage's entry point)
kb.py         the knowledge base (config/entities.yaml), validated; kb_yaml.py writes it
german.py     German inflection and compound rules
tokens.py     the tokeniser; matcher.py the one-pass alias matcher; lexicon.py its word lists
roles.py      matches -> mentions with roles
ner.py        which NER backend reads a language (corenlp.py, spacy_ner.py), and which text
linking.py    NER names joined with the knowledge base: every name gets a stable id
"""
