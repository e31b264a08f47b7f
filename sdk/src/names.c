/* "Did you mean" for names: the closest of a list of known names to a word
 * that matched none of them, so that an error can suggest the likely typo.
 * One rule for the host and every plugin, so hints read alike everywhere. */
#include <string.h>
#include <bulkhead/text.h>

/* Longer words are not compared: a typo hint for them is not worth the
 * stack a larger table would take. */
#define NAME_MAX_COMPARED 64

static char fold_case(char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
}

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), case-insensitive; -1 when a word is too long to bother. */
static int osa_distance(const char *a, const char *b)
{
	int d[NAME_MAX_COMPARED + 1][NAME_MAX_COMPARED + 1];
	char fa[NAME_MAX_COMPARED + 1], fb[NAME_MAX_COMPARED + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > NAME_MAX_COMPARED || lb > NAME_MAX_COMPARED)
		return -1;
	/* Case never matters for a typo: "Columns" is "columns". */
	for (i = 0; i < la; i++)
		fa[i] = fold_case(a[i]);
	for (j = 0; j < lb; j++)
		fb[j] = fold_case(b[j]);
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int cost = fa[i - 1] != fb[j - 1];
			int best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && fa[i - 1] == fb[j - 2] && fa[i - 2] == fb[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

/* How many edits still look like a typo between words of these lengths.
 * Short names get little slack, or every name would look like a typo of
 * another; the longer of the two counts, so that a name cut short
 * ("created" for "created_at") is still recognised. */
static int typo_slack(size_t word_len, size_t candidate_len)
{
	size_t len = word_len > candidate_len ? word_len : candidate_len;
	return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

const char *bh_did_you_mean(const char *word, const char *const *candidates, size_t count)
{
	size_t word_len = strlen(word), i;
	const char *best = NULL;
	int best_d = 0;

	for (i = 0; i < count; i++) {
		size_t len = strlen(candidates[i]);
		int dist = osa_distance(word, candidates[i]);
		/* Rewriting a whole candidate is no typo ("x" is not "y"). */
		if (dist < 0 || dist > typo_slack(word_len, len) || (size_t)dist >= len)
			continue;
		if (best == NULL || dist < best_d) {
			best_d = dist;
			best = candidates[i];
		}
	}
	return best;
}
