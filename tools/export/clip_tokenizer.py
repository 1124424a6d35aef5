"""CLIP's byte-level BPE vocabulary (as OpenAI's simple_tokenizer builds it from
bpe_simple_vocab_16e6.txt.gz, or as a Hugging Face folder's vocab.json + merges.txt give it) written
as a tokenizer.json in the Hugging Face tokenizers format, which the app loads with
@huggingface/tokenizers (src/engine/models/tokenizer.ts).

OpenAI's tokenizer also runs ftfy.fix_text and html.unescape on the prompt; the Hugging Face
format has no such steps, so a prompt with HTML entities or mojibake tokenizes differently. Plain
prompts give the same ids (test/export/tokenizer.test.ts)."""
import gzip
import json

SOT, EOT = '<|startoftext|>', '<|endoftext|>'
# The pattern OpenAI's tokenizer splits a prompt with (after lower-casing).
SPLIT = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
# OpenAI's tokenizer reads this many merges of the file (its first line is a header).
OPENAI_MERGES = 49152 - 256 - 2


def byte_alphabet():
    """GPT-2's reversible byte → printable character table (printable Latin-1 bytes map to
    themselves, the rest to code points from 256 up, in byte order)."""
    keep = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def vocab_from_bpe_file(path):
    """Vocabulary and merges as OpenAI's SimpleTokenizer builds them: the 256 byte characters,
    the same with '</w>', one entry per merge, then the start and end tokens."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        lines = f.read().decode('utf-8').split('\n')
    merges = [tuple(line.split()) for line in lines[1:OPENAI_MERGES + 1] if line.strip()]
    bad = [m for m in merges if len(m) != 2]
    if bad:
        raise ValueError(f'{path}: a merge line must be two symbols, got {" ".join(bad[0])!r}')
    chars = list(byte_alphabet().values())
    tokens = chars + [c + '</w>' for c in chars] + [a + b for a, b in merges] + [SOT, EOT]
    vocab = {}
    for i, t in enumerate(tokens):
        vocab.setdefault(t, i)
    if len(vocab) != len(tokens):
        raise ValueError(f'{path}: {len(tokens) - len(vocab)} merges give a token that is already in the vocabulary')
    return vocab, merges


def vocab_from_hf(vocab_path, merges_path):
    with open(vocab_path, encoding='utf-8') as f:
        vocab = json.load(f)
    with open(merges_path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    merges = [tuple(line.split()) for line in lines if line.strip() and not line.startswith('#version')]
    for t in (SOT, EOT):
        if t not in vocab:
            raise ValueError(f'{vocab_path}: no "{t}" token, so this is not a CLIP vocabulary')
    return vocab, merges


def tokenizer_json(vocab, merges):
    sot, eot = vocab[SOT], vocab[EOT]
    special = lambda t, i: {  # noqa: E731
        'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False, 'normalized': True, 'special': True,
    }
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [special(SOT, sot), special(EOT, eot)],
        'normalizer': {
            'type': 'Sequence',
            'normalizers': [
                {'type': 'NFC'},
                {'type': 'Replace', 'pattern': {'Regex': r'\s+'}, 'content': ' '},
                {'type': 'Lowercase'},
            ],
        },
        'pre_tokenizer': {
            'type': 'Sequence',
            'pretokenizers': [
                {'type': 'Split', 'pattern': {'Regex': SPLIT}, 'behavior': 'Removed', 'invert': True},
                {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': False},
            ],
        },
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [
                {'SpecialToken': {'id': SOT, 'type_id': 0}},
                {'Sequence': {'id': 'A', 'type_id': 0}},
                {'SpecialToken': {'id': EOT, 'type_id': 0}},
            ],
            'pair': [
                {'SpecialToken': {'id': SOT, 'type_id': 0}},
                {'Sequence': {'id': 'A', 'type_id': 0}},
                {'SpecialToken': {'id': EOT, 'type_id': 0}},
                {'SpecialToken': {'id': SOT, 'type_id': 0}},
                {'Sequence': {'id': 'B', 'type_id': 0}},
                {'SpecialToken': {'id': EOT, 'type_id': 0}},
            ],
            'special_tokens': {
                SOT: {'id': SOT, 'ids': [sot], 'tokens': [SOT]},
                EOT: {'id': EOT, 'ids': [eot], 'tokens': [EOT]},
            },
        },
        'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
        'model': {
            'type': 'BPE',
            'dropout': None,
            'unk_token': EOT,
            'continuing_subword_prefix': '',
            'end_of_word_suffix': '</w>',
            'fuse_unk': False,
            'byte_fallback': False,
            'vocab': vocab,
            'merges': [f'{a} {b}' for a, b in merges],
        },
    }


def write_tokenizer(vocab, merges, path):
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(tokenizer_json(vocab, merges), f, ensure_ascii=False)
    return len(vocab)
