#!/usr/bin/python3
"""The names example in PyTorch: the same models, loss, optimiser and hyperparameters as examples/names, for
comparing validation losses after equal epochs.

The C++ program writes its split as train_words.txt and validation_words.txt into its --out folder; give that
folder as --split to train on exactly the same words:

    build/examples/names --model transformer --out out/names
    /usr/bin/python3 examples/names/names_torch.py --model transformer --split out/names

Without --split the script reads --words and splits it itself (same rules, another shuffle).
"""

import argparse
import random
import time

import torch
import torch.nn.functional as F
from torch import nn

VOCABULARY = 27  # token 0 starts and ends a word; 1..26 are a..z


def read_words(path, max_length):
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f]
    return [w for w in lines if w and len(w) <= max_length and all("a" <= c <= "z" for c in w)]


def encode(words, context):
    inputs = torch.zeros(len(words), context, dtype=torch.int64)
    targets = torch.zeros(len(words), context, dtype=torch.int64)
    mask = torch.zeros(len(words), context)
    for i, word in enumerate(words):
        letters = [ord(c) - ord("a") + 1 for c in word] + [0]
        inputs[i, 1:len(letters)] = torch.tensor(letters[:-1][:context - 1], dtype=torch.int64)
        targets[i, :len(letters)] = torch.tensor(letters)
        mask[i, :len(letters)] = 1.0
    return inputs, targets, mask


class TransformerModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.token_embedding = nn.Embedding(VOCABULARY, a.embedding)
        self.position_embedding = nn.Embedding(a.context, a.embedding)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(a.embedding, a.heads, a.feedforward, a.dropout, activation="gelu",
                                       batch_first=True, norm_first=True) for _ in range(a.layers))
        self.norm = nn.LayerNorm(a.embedding)
        self.head = nn.Linear(a.embedding, VOCABULARY)

    def forward(self, tokens):
        length = tokens.shape[1]
        x = self.token_embedding(tokens) + self.position_embedding(torch.arange(length))
        mask = torch.triu(torch.full((length, length), float("-inf")), diagonal=1)
        for layer in self.layers:
            x = layer(x, src_mask=mask)
        return self.head(self.norm(x))


class GruModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, a.embedding)
        self.gru = nn.GRU(a.embedding, a.hidden, num_layers=a.layers, batch_first=True)
        self.head = nn.Linear(a.hidden, VOCABULARY)

    def forward(self, tokens):
        output, _ = self.gru(self.embedding(tokens))
        return self.head(output)


def masked_loss(logits, targets, mask):
    per_position = F.cross_entropy(logits.reshape(-1, VOCABULARY), targets.reshape(-1), reduction="none")
    return (per_position * mask.reshape(-1)).sum() / mask.sum()


@torch.no_grad()
def evaluate(model, words, context):
    model.eval()
    total, positions = 0.0, 0.0
    for first in range(0, len(words), 512):
        inputs, targets, mask = encode(words[first:first + 512], context)
        total += masked_loss(model(inputs), targets, mask).item() * mask.sum().item()
        positions += mask.sum().item()
    model.train()
    return total / positions


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["transformer", "gru"], default="transformer")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--learning-rate", type=float, default=0.002)
    p.add_argument("--context", type=int, default=16)
    p.add_argument("--embedding", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--feedforward", type=int, default=256)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--validation", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--words", default="/usr/share/dict/words")
    p.add_argument("--split", help="folder with the C++ run's train_words.txt and validation_words.txt")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    if a.split:
        train = open(f"{a.split}/train_words.txt").read().split()
        validation = open(f"{a.split}/validation_words.txt").read().split()
    else:
        words = read_words(a.words, a.context - 1)
        random.shuffle(words)
        count = int(a.validation * len(words))
        train, validation = words[count:], words[:count]
    print(f"{len(train)} training and {len(validation)} validation words; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")

    model = TransformerModel(a) if a.model == "transformer" else GruModel(a)
    print(f"{sum(t.numel() for t in model.parameters())} parameters")
    optimizer = torch.optim.Adam(model.parameters(), lr=a.learning_rate)
    for epoch in range(1, a.epochs + 1):
        start = time.perf_counter()
        random.shuffle(train)
        loss_sum, positions = 0.0, 0.0
        for first in range(0, len(train), a.batch_size):
            inputs, targets, mask = encode(train[first:first + a.batch_size], a.context)
            loss = masked_loss(model(inputs), targets, mask)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * mask.sum().item()
            positions += mask.sum().item()
        validation_loss = evaluate(model, validation, a.context)
        print(f"epoch {epoch}/{a.epochs}: train loss {loss_sum / positions:.4f}, validation loss "
              f"{validation_loss:.4f} | {time.perf_counter() - start:.1f} s", flush=True)


if __name__ == "__main__":
    main()
