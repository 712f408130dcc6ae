"""Which of the model's features name a group of people: the columns the abuse head is
trained without, so that naming a group can never by itself raise an abuse score.

The abuse datasets name groups mostly as targets (Aljazeera's deleted comments are four in
five abusive), so a head free to weigh group nouns learns "naming the Kurds is abuse"; the
previous model held a third of neutral Arabic sentences that name a group. Abuse aimed at a
group is still seen by its other words (the insult, the slur, the threat) and by the
identity_attack head, which keeps these columns.

A word n-gram names a group when one of its words is an identity term
(`hakam.model.identity_terms`, clitics and article included). A character n-gram does when
most of the documents it occurs in owe it to such a word: its document frequency within the
identity words of the word vocabulary (their document frequencies, read back from the idf)
over its own. Everything is read off the fitted vectorisers; no pass over the corpus.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from hakam.model import identity_terms
from hakam.model.features import char_grams

# a character n-gram is a group's when at least this share of its documents get it from a
# group's name (0.3 masked 40% more n-grams, mostly plural endings of any noun, for no gain
# in the held share of neutral mentions over 0.5)
CHAR_SHARE = 0.5


def document_frequencies(vectorizer: TfidfVectorizer, documents: int) -> np.ndarray:
    """Each feature's document frequency, from scikit-learn's smoothed idf:
    idf = ln((1 + n) / (1 + df)) + 1."""
    return (1 + documents) / np.exp(vectorizer.idf_ - 1) - 1


def masked(char_vectorizer: TfidfVectorizer, word_vectorizer: TfidfVectorizer,
           documents: int, char_share: float = CHAR_SHARE) -> np.ndarray:
    """A boolean per text feature (character n-grams first, then word n-grams, as
    `Pipeline.text_features` lays them out): True where the feature names a group.
    `documents`: how many texts the vectorisers were fitted on."""
    words = word_vectorizer.vocabulary_
    word_df = document_frequencies(word_vectorizer, documents)
    word_mask = np.zeros(len(words), dtype=bool)
    from_groups: dict[str, float] = defaultdict(float)
    names_group: dict[str, bool] = {}  # token -> whether it names a group (bigrams repeat them)
    for term, index in words.items():
        tokens = term.split(" ")
        naming = []
        for token in tokens:
            if token not in names_group:
                names_group[token] = bool(identity_terms.mentioned(token, normalized=True))
            naming.append(names_group[token])
        if any(naming):
            word_mask[index] = True
        if len(tokens) == 1 and naming[0]:
            for gram in set(char_grams(term)):
                from_groups[gram] += word_df[index]
    chars = char_vectorizer.vocabulary_
    char_df = document_frequencies(char_vectorizer, documents)
    char_mask = np.zeros(len(chars), dtype=bool)
    for gram, frequency in from_groups.items():
        index = chars.get(gram)
        if index is not None and frequency >= char_share * char_df[index]:
            char_mask[index] = True
    return np.concatenate([char_mask, word_mask])
