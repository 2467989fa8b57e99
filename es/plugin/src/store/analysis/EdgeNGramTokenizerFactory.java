package store.analysis;

import java.util.List;
import java.util.Locale;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;

/**
 * {@code edge_ngram} tokenizer: the starts of each word; {@code token_chars} (letter, digit,
 * whitespace, punctuation, symbol) says which characters words are made of (all when empty).
 */
final class EdgeNGramTokenizerFactory extends AbstractTokenizerFactory {
    private final int minGram;
    private final int maxGram;
    private final List<String> tokenChars;

    EdgeNGramTokenizerFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(indexSettings, settings, name);
        this.minGram = settings.getAsInt("min_gram", 1);
        this.maxGram = settings.getAsInt("max_gram", 2);
        this.tokenChars = settings.getAsList("token_chars", List.of()).stream()
            .map(kind -> kind.toLowerCase(Locale.ROOT))
            .toList();
        for (String kind : tokenChars) {
            if (!List.of("letter", "digit", "whitespace", "punctuation", "symbol").contains(kind)) {
                throw new IllegalArgumentException("edge_ngram [" + name + "]: unknown token_chars [" + kind + "]");
            }
        }
        if (minGram < 1 || maxGram < minGram) {
            throw new IllegalArgumentException("edge_ngram [" + name + "]: need 1 <= min_gram <= max_gram");
        }
    }

    @Override
    public Tokenizer create() {
        if (tokenChars.isEmpty()) {
            return new EdgeNGramTokenizer(minGram, maxGram);
        }
        List<String> kinds = tokenChars;
        return new EdgeNGramTokenizer(minGram, maxGram) {
            @Override
            protected boolean isTokenChar(int chr) {
                return isMadeOf(kinds, chr);
            }
        };
    }

    static boolean isMadeOf(List<String> kinds, int chr) {
        if (kinds.contains("letter") && Character.isLetter(chr)) return true;
        if (kinds.contains("digit") && Character.isDigit(chr)) return true;
        if (kinds.contains("whitespace") && Character.isWhitespace(chr)) return true;
        int type = Character.getType(chr);
        boolean punctuation = switch (type) {
            case Character.START_PUNCTUATION, Character.END_PUNCTUATION, Character.OTHER_PUNCTUATION,
                Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                Character.FINAL_QUOTE_PUNCTUATION -> true;
            default -> false;
        };
        if (kinds.contains("punctuation") && punctuation) return true;
        boolean symbol = type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
            || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
        return kinds.contains("symbol") && symbol;
    }
}
