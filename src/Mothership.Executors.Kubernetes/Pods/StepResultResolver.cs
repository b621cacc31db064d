using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>One <c>$(steps.STEP.results.NAME…)</c> reference as written, and what it selects.</summary>
/// <param name="Text">The reference exactly as it appears, <c>$(…)</c> included.</param>
/// <param name="Step">The producing step's name, without <c>step-</c>.</param>
/// <param name="Result">The step result's name.</param>
/// <param name="Index">An array item (<c>[0]</c>), null otherwise.</param>
/// <param name="Key">An object's field (<c>.url</c>), null otherwise.</param>
/// <param name="All">The whole array (<c>[*]</c>).</param>
internal sealed record StepResultReference(string Text, string Step, string Result, int? Index, string? Key, bool All);

/// <summary>
/// Step results in a later step (<c>$(steps.s.results.r)</c>), resolved inside the pod when that
/// step starts. Tekton's entrypoint binary does this: it reads
/// <c>/tekton/steps/step-s/results/r</c> and replaces the references in the step's environment,
/// script and command line, an array reference that is a whole argument becoming one argument per
/// item. This executor has no binary of its own in the pod, so the step runs through a generated
/// POSIX shell program instead (written by the prepare container, like the scripts): it reads the
/// files, parses array and object results (JSON arrays and objects of strings, as Tekton allows),
/// substitutes in one pass with the shell's literal pattern matching — a value is never parsed as
/// code or as a pattern, so any content is safe — and execs the step's command. Such a step needs
/// <c>/bin/sh</c> in its image (and <c>chmod</c> when it has a script), as an <c>onError</c> step
/// does. A step with only <c>args</c> has no command to wrap (its image's entrypoint runs): its
/// references are left as written.
/// </summary>
internal static partial class StepResultResolver
{
    private const string StepsDir = "/tekton/steps";

    /// <summary>The shell helpers every program shares: reading a file exactly, and a JSON reader for arrays and objects of strings.</summary>
    /// <remarks>
    /// Hand-written rather than a tool in the image (jq, awk): a step image is only known to have a
    /// shell. The reader takes plain runs between quotes and backslashes at once, so a 4 KB result
    /// costs a few hundred shell operations; <c>\uXXXX</c> escapes (surrogate pairs too) become UTF-8
    /// bytes through printf's octal escapes. A NUL cannot live in a shell variable and is dropped.
    /// </remarks>
    private const string Helpers = """
        _nl='
        '
        _tab=$(printf '\t'); _cr=$(printf '\r'); _bs=$(printf '\b'); _ff=$(printf '\f'); _q='"'; _b='\'
        _fail() { printf '%s\n' "$*" >&2; exit 1; }
        _read() { [ -f "$1" ] || _fail "$2: the step result file $1 does not exist"; _t=$(cat "$1" && printf x) || _fail "$2: cannot read $1"; _t=${_t%x}; }
        _ws() { _s=${_s#"${_s%%[![:space:]]*}"}; }
        _oct() { for _o in "$@"; do _t=$_t$(printf "\\$(printf '%03o' "$_o")"); done; }
        _utf8() {
          if [ "$_cp" -eq 10 ]; then _t=$_t$_nl
          elif [ "$_cp" -eq 0 ]; then :
          elif [ "$_cp" -lt 128 ]; then _oct "$_cp"
          elif [ "$_cp" -lt 2048 ]; then _oct $((192 | (_cp >> 6))) $((128 | (_cp & 63)))
          elif [ "$_cp" -lt 65536 ]; then _oct $((224 | (_cp >> 12))) $((128 | ((_cp >> 6) & 63))) $((128 | (_cp & 63)))
          else _oct $((240 | (_cp >> 18))) $((128 | ((_cp >> 12) & 63))) $((128 | ((_cp >> 6) & 63))) $((128 | (_cp & 63))); fi
        }
        _hex() { _h=${_s#??}; _h=${_h%"${_h#????}"}; case $_h in [0-9a-fA-F][0-9a-fA-F][0-9a-fA-F][0-9a-fA-F]) ;; *) return 1;; esac; _s=${_s#??????}; }
        _str() {
          _t=
          while :; do
            _p=${_s%%["$_q$_b"]*}
            [ "$_p" = "$_s" ] && return 1
            _t=$_t$_p; _s=${_s#"$_p"}
            case $_s in
              "$_q"*) _s=${_s#?}; return 0;;
              "$_b"u*) _hex || return 1; _cp=$((0x$_h))
                if [ "$_cp" -ge 55296 ] && [ "$_cp" -le 56319 ]; then
                  case $_s in "$_b"u*) _hi=$_cp; _hex || return 1; _cp=$((65536 + ((_hi - 55296) << 10) + (0x$_h - 56320)));; esac
                fi
                _utf8;;
              "$_b"n*) _t=$_t$_nl; _s=${_s#??};;
              "$_b"t*) _t=$_t$_tab; _s=${_s#??};;
              "$_b"r*) _t=$_t$_cr; _s=${_s#??};;
              "$_b"b*) _t=$_t$_bs; _s=${_s#??};;
              "$_b"f*) _t=$_t$_ff; _s=${_s#??};;
              "$_b"*) _s=${_s#?}; _c=${_s%"${_s#?}"}; _t=$_t$_c; _s=${_s#?};;
            esac
          done
        }
        _json() {
          _s=$1; _n=0; _ws
          case $_s in '['*) _obj=;; '{'*) _obj=1;; *) return 1;; esac
          _s=${_s#?}; _ws
          case $_s in ']'*|'}'*) return 0;; esac
          while :; do
            if [ -n "$_obj" ]; then
              case $_s in "$_q"*) _s=${_s#?}; _str || return 1;; *) return 1;; esac
              eval "_k$_n=\$_t"; _ws
              case $_s in :*) _s=${_s#?}; _ws;; *) return 1;; esac
            fi
            case $_s in "$_q"*) _s=${_s#?}; _str || return 1;; *) return 1;; esac
            eval "_v$_n=\$_t"; _n=$((_n + 1)); _ws
            case $_s in ,*) _s=${_s#?}; _ws;; ']'*|'}'*) return 0;; *) return 1;; esac
          done
        }
        _items() { _json "$1" || _fail "$2: $3 is not a JSON array or object of strings"; }
        _item() { _items "$@"; [ "$4" -lt "$_n" ] || _fail "$2: $3 has no item $4"; eval "_t=\$_v$4"; }
        _field() { _items "$@"; _m=0; while [ "$_m" -lt "$_n" ]; do eval "_kk=\$_k$_m"; if [ "$_kk" = "$4" ]; then eval "_t=\$_v$_m"; return 0; fi; _m=$((_m + 1)); done; _fail "$2: $3 has no field $4"; }
        _join() { _items "$@"; _m=0; _t=; while [ "$_m" -lt "$_n" ]; do [ "$_m" -gt 0 ] && _t="$_t "; eval "_t=\$_t\$_v$_m"; _m=$((_m + 1)); done; }

        """;

    [GeneratedRegex(@"\$\(steps\.([A-Za-z0-9_-]+)\.results\.([A-Za-z0-9_-]+)(?:\[(\*|[0-9]+)\]|\.([A-Za-z0-9_-]+))?\)")]
    private static partial Regex ReferencePattern();

    /// <summary>The step-result references in a step's script, command, args and env values, each once.</summary>
    public static ImmutableArray<StepResultReference> Find(Step step)
    {
        var texts = new List<string?> { step.Script };
        texts.AddRange(step.Command);
        texts.AddRange(step.Args);
        texts.AddRange(step.Env.Select(e => e.Value));
        return [.. texts.OfType<string>()
            .SelectMany(t => ReferencePattern().Matches(t))
            .Select(m => new StepResultReference(
                m.Value,
                m.Groups[1].Value,
                m.Groups[2].Value,
                m.Groups[3].Success && m.Groups[3].Value != "*" ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : null,
                m.Groups[4].Success ? m.Groups[4].Value : null,
                m.Groups[3].Value == "*"))
            .DistinctBy(r => r.Text)];
    }

    /// <summary>
    /// The program that starts container <paramref name="container"/>: run as
    /// <c>/bin/sh PROGRAM COMMAND ARGS…</c>, it resolves <paramref name="references"/> in the
    /// environment variables <paramref name="environment"/>, in the script <paramref name="script"/>
    /// (written, resolved, to <paramref name="resolvedScript"/>, which the command then names), and in
    /// its arguments, then execs them.
    /// </summary>
    public static string Program(string container, ImmutableArray<StepResultReference> references, IEnumerable<string> environment, string? script, string? resolvedScript, string stepsDir = StepsDir)
    {
        var sb = new StringBuilder("# Resolves the step results this step reads, as Tekton's entrypoint does at step start; generated by Mothership.\n");
        sb.Append(Helpers);
        var files = references.Select(r => (r.Step, r.Result)).Distinct().ToList();
        for (var i = 0; i < files.Count; i++)
        {
            var path = $"{stepsDir}/step-{files[i].Step}/results/{files[i].Result}";
            sb.Append(CultureInfo.InvariantCulture, $"_read {Quote(path)} {Quote(container)}; _f{i}=$_t\n");
        }

        for (var i = 0; i < references.Length; i++)
        {
            var r = references[i];
            var file = $"\"$_f{files.IndexOf((r.Step, r.Result))}\"";
            var what = $"{Quote(container)} {Quote($"steps.{r.Step}.results.{r.Result}")}";
            var value = r switch
            {
                { All: true } => $"_join {file} {what}",
                { Index: { } index } => $"_item {file} {what} {index.ToString(CultureInfo.InvariantCulture)}",
                { Key: { } key } => $"_field {file} {what} {Quote(key)}",
                _ => $"_t={file}",
            };
            sb.Append(CultureInfo.InvariantCulture, $"_r{i}={Quote(r.Text)}; {value}; _x{i}=$_t\n");
        }

        // One pass from left to right: what a value brings in is never looked at again.
        sb.Append("_subst() {\n  _o=\n  while :; do\n    case $_t in *'$(steps.'*) ;; *) break;; esac\n");
        sb.Append("    _o=$_o${_t%%'$(steps.'*}; _t='$(steps.'${_t#*'$(steps.'}\n    case $_t in\n");
        for (var i = 0; i < references.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"      \"$_r{i}\"*) _o=$_o$_x{i}; _t=${{_t#\"$_r{i}\"}};;\n");
        }

        sb.Append("      *) _o=$_o'$'; _t=${_t#?};;\n    esac\n  done\n  _t=$_o$_t\n}\n");
        foreach (var name in environment)
        {
            sb.Append(CultureInfo.InvariantCulture, $"_t=${{{name}-}}; _subst; {name}=$_t; export {name}\n");
        }

        if (script is not null && resolvedScript is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"_read {Quote(script)} {Quote(container)}; _subst\n");
            sb.Append(CultureInfo.InvariantCulture, $"printf '%s' \"$_t\" > {Quote(resolvedScript)} && chmod 0755 {Quote(resolvedScript)} || _fail {Quote(container + ": cannot write " + resolvedScript)}\n");
        }

        // The arguments, rebuilt in place: an argument that is exactly an array reference becomes its items.
        sb.Append("_argc=$#; _argi=0\nwhile [ \"$_argi\" -lt \"$_argc\" ]; do\n  _a=$1; shift; _argi=$((_argi + 1))\n  case $_a in\n");
        for (var i = 0; i < references.Length; i++)
        {
            if (references[i].All)
            {
                var file = files.IndexOf((references[i].Step, references[i].Result));
                sb.Append(CultureInfo.InvariantCulture, $"    \"$_r{i}\") _items \"$_f{file}\" {Quote(container)} {Quote($"steps.{references[i].Step}.results.{references[i].Result}")}; _m=0; while [ \"$_m\" -lt \"$_n\" ]; do eval \"set -- \\\"\\$@\\\" \\\"\\$_v$_m\\\"\"; _m=$((_m + 1)); done;;\n");
            }
        }

        sb.Append("    *) _t=$_a; _subst; set -- \"$@\" \"$_t\";;\n  esac\ndone\nexec \"$@\"\n");
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="name"/> can be assigned by a POSIX shell (other environment variables are left as they are).</summary>
    public static bool IsShellName(string name) => name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>A shell word that is exactly <paramref name="text"/>.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
