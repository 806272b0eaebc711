"""The demo models' tokenizer: a Hugging Face `tokenizer.json` (BPE model with `ignore_merges`, so
every vocabulary word is one token and anything else falls back to single characters; digits
are always single characters, so boxes are digit sequences), plus this module's Python encoder,
which mirrors what the tokenizers library does with that file (checked by a vitest test through
@huggingface/tokenizers)."""
import json
import re

SPECIAL_TOKENS = [
    "<unk>", "<s>", "</s>", "<pad>",
    "<image>",  # LLaVA image placeholder
    "<img>", "</img>", "<IMG_CONTEXT>",  # InternVL image span and placeholder
    "<ref>", "</ref>", "<box>", "</box>",  # InternVL grounding tags
    "<|im_start|>", "<|im_end|>",  # Qwen chat template
]

CATEGORIES = ["circle", "square", "triangle", "star", "cross", "heart", "diamond", "arrow", "moon", "hexagon"]

WORDS = CATEGORIES + [
    # prompts of the study (services/orchestrator defaults) and the two chat formats
    "Please", "provide", "the", "bounding", "box", "coordinate", "of", "region", "this", "sentence",
    "describes", "List", "all", "objects", "in", "image", "Only", "use", "these", "categories",
    "Is", "there", "a", "an", "Answer", "yes", "or", "no", "Yes", "No", "USER", "ASSISTANT",
    "system", "user", "assistant",
    # common words of alternative phrasings
    "What", "Where", "is", "are", "and", "object", "shape", "shapes", "not", "none", "Describe",
    "Find", "Locate", "circles", "squares", "triangles", "stars", "crosses", "hearts", "diamonds",
    "arrows", "moons", "hexagons", "picture", "photo", "any", "see", "The", "A", "There",
]

# Pre-tokenization: runs of letters with an optional leading space (so " circle" is one token, as
# in GPT-2-style vocabularies, keeping prompts short), then single digits, single whitespace
# characters and single other characters. Identical regex in tokenizer.json (`Split`, Isolated).
PIECE_PATTERN = r" ?[A-Za-z]+|\d|\s|[^A-Za-z\d\s]"
CHARACTERS = [chr(c) for c in range(32, 127)] + ["\n"]
VOCAB_SIZE = 256  # embedding rows: vocabulary plus headroom, like real checkpoints


def vocabulary():
    words = [w for w in WORDS if w not in CHARACTERS]
    tokens = list(SPECIAL_TOKENS) + CHARACTERS + words + [" " + w for w in words]
    if len(tokens) != len(set(tokens)):
        raise ValueError("tokenizer vocabulary has duplicates")
    if len(tokens) > VOCAB_SIZE:
        raise ValueError(f"tokenizer vocabulary has {len(tokens)} entries > VOCAB_SIZE {VOCAB_SIZE}")
    return {t: i for i, t in enumerate(tokens)}


VOCAB = vocabulary()
ID_TO_TOKEN = {i: t for t, i in VOCAB.items()}
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS) + ")")
_PIECES = re.compile(PIECE_PATTERN)


def encode(text):
    """Token ids of `text` (no BOS): special tokens matched first, then pieces, then the vocabulary
    or single characters."""
    ids = []
    for part in _SPECIAL_SPLIT.split(text):
        if not part:
            continue
        if part in SPECIAL_TOKENS:
            ids.append(VOCAB[part])
            continue
        for piece in _PIECES.findall(part):
            if piece in VOCAB:
                ids.append(VOCAB[piece])
            else:
                ids.extend(VOCAB.get(ch, VOCAB["<unk>"]) for ch in piece)
    return ids


def decode(ids, skip_special=True):
    return "".join(ID_TO_TOKEN.get(i, "") for i in ids if not (skip_special and ID_TO_TOKEN.get(i) in SPECIAL_TOKENS))


def tokenizer_json(add_bos):
    """The tokenizer.json document; LLaVA (Llama) prepends <s>, InternVL (Qwen) does not."""
    added = [
        {"id": VOCAB[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for t in SPECIAL_TOKENS
    ]
    post = None
    if add_bos:
        post = {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [VOCAB["<s>"]], "tokens": ["<s>"]}},
        }
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Split", "pattern": {"Regex": PIECE_PATTERN}, "behavior": "Isolated", "invert": False},
        "post_processor": post,
        "decoder": {"type": "Fuse"},
        "model": {
            "type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
            "vocab": VOCAB, "merges": [],
        },
    }


LLAVA_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}USER: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for c in message['content'] %}{% if c['type'] == 'image' %}<image>\n"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %} "
    "{% elif message['role'] == 'assistant' %}ASSISTANT: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for c in message['content'] %}{{ c['text'] }}{% endfor %}{% endif %}</s>"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)

INTERNVL_CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for c in message['content'] %}{% if c['type'] == 'image' %}<IMG_CONTEXT>\n"
    "{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}{% endif %}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tokenizer_config(family):
    common = {
        "added_tokens_decoder": {
            str(VOCAB[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                            "single_word": False, "special": True}
            for t in SPECIAL_TOKENS
        },
        "clean_up_tokenization_spaces": False,
        "model_max_length": 1024,
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "tokenizer_class": "PreTrainedTokenizerFast",
    }
    if family == "llava":
        return {**common, "add_bos_token": True, "add_eos_token": False, "bos_token": "<s>", "eos_token": "</s>",
                "chat_template": LLAVA_CHAT_TEMPLATE}
    return {**common, "add_bos_token": False, "bos_token": None, "eos_token": "<|im_end|>",
            "chat_template": INTERNVL_CHAT_TEMPLATE,
            "extra_special_tokens": {"context_image_token": "<IMG_CONTEXT>", "start_image_token": "<img>",
                                     "end_image_token": "</img>"}}


def write(folder, family):
    with open(f"{folder}/tokenizer.json", "w") as f:
        json.dump(tokenizer_json(add_bos=family == "llava"), f, indent=1, ensure_ascii=False)
    with open(f"{folder}/tokenizer_config.json", "w") as f:
        json.dump(tokenizer_config(family), f, indent=1, ensure_ascii=False)
