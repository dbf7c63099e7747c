"""The exchange contract v1: vocabulary as data and pure normalisers."""

from lantern.contract.vocabulary import FileSpec, Vocabulary, vocabulary

__all__ = ["FileSpec", "Vocabulary", "vocabulary"]
