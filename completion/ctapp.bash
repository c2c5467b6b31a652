# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for ctapp(8).
#
# Nothing here names a subcommand or an option: they come from the ctapp
# being completed (`ctapp --help` lists the commands, `ctapp COMMAND --help`
# gives the usage line, whose placeholders say what each word is), so a new
# command or option completes without editing this file. Placeholders:
# NAME -> app names (*.ctapp in the config directories: $CTAPP_CONFIG_PATH,
# else ROOT/{etc,run,usr/lib}/containers.d with ROOT from --root or
# $CTAPP_ROOT), REF -> images in the store (`ctapp images`), FILE -> .ctapp
# files, DIR -> directories.

# The words of `ctapp --help`'s "Commands:" section.
_ctapp_commands() {
    "$1" --help 2>/dev/null | awk '/^Commands:/ { listing = 1; next }
                                   listing && /^  [a-z]/ { print $1 }
                                   listing && /^$/ { exit }'
}

# The usage of one command: what follows "ctapp [--root DIR] COMMAND ", with
# an alternative form "A | COMMAND B" as "A | B".
_ctapp_usage() {
    "$1" "$2" --help 2>/dev/null |
        awk -v cmd="$2" 'NR == 1 { sub(/^Usage: ctapp (\[--root DIR\] )?/, ""); sub("^" cmd " ?", "");
                                   gsub(" \\| " cmd " ", " | "); print; exit }'
}

# The options of a usage line, one a line as "OPTION PLACEHOLDER" (an option
# written "--opt=VALUE" prints as "--opt= VALUE", "-u USER" as "-u USER", a
# flag alone).
_ctapp_usage_options() {
    grep -oE -- '(^|[[ ])-{1,2}[a-zA-Z][-a-zA-Z0-9]*(=[^] ]*| [^][ -][^] ]*)?' <<<"$1" |
        sed -E 's/^[[ ]//; s/=(.*)/= \1/'
}

# The positional placeholders of a usage line's first form, in order
# (bracketed words are optional and left out; "X..." repeats).
_ctapp_usage_positionals() {
    local usage=${1%% | *}
    while [[ $usage == *\[*\]* ]]; do
        usage=$(sed -E 's/\[[^][]*\](\.\.\.)?//g' <<<"$usage")
        [[ $usage == *\[*\]* ]] || break
    done
    local word
    for word in $usage; do
        [[ $word == -* ]] || printf '%s\n' "$word"
    done
}

_ctapp_root() {
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case ${COMP_WORDS[i]} in
            --root) printf '%s\n' "${COMP_WORDS[i + 1]}"; return ;;
            --root=*) printf '%s\n' "${COMP_WORDS[i]#--root=}"; return ;;
        esac
    done
    printf '%s\n' "${CTAPP_ROOT:-}"
}

_ctapp_app_names() {
    local root dirs dir file
    if [[ -v CTAPP_CONFIG_PATH ]]; then
        IFS=: read -r -a dirs <<<"$CTAPP_CONFIG_PATH"
    else
        root=$(_ctapp_root)
        root=${root%/}
        dirs=("$root/etc/containers.d" "$root/run/containers.d" "$root/usr/lib/containers.d")
    fi
    for dir in "${dirs[@]}"; do
        [[ -n $dir ]] || continue
        for file in "$dir"/*.ctapp; do
            [[ -e $file ]] || continue
            file=${file##*/}
            printf '%s\n' "${file%.ctapp}"
        done
    done | sort -u
}

_ctapp_images() {
    local root
    root=$(_ctapp_root)
    "$1" ${root:+--root "$root"} images 2>/dev/null | awk 'NR > 1 { print $1 }'
}

# Adds to COMPREPLY what PLACEHOLDER ("NAME", "REF", "NAME|FILE.ctapp"...)
# stands for.
_ctapp_complete_placeholder() {
    local ctapp=$1 placeholder=$2 cur=$3
    local -a words=()
    if [[ $placeholder == *NAME* && $placeholder != *NAME=* ]]; then
        mapfile -t words < <(_ctapp_app_names)
        COMPREPLY+=($(compgen -W "${words[*]}" -- "$cur"))
    fi
    if [[ $placeholder == *REF* ]]; then
        mapfile -t words < <(_ctapp_images "$ctapp")
        COMPREPLY+=($(compgen -W "${words[*]}" -- "$cur"))
        declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
    fi
    if [[ $placeholder =~ ^[a-z]+$ ]]; then  # a literal value, as in --tls-verify=false
        COMPREPLY+=($(compgen -W "$placeholder" -- "$cur"))
    fi
    if [[ $placeholder == *FILE* ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY+=($(compgen -f -X '!*.ctapp' -- "$cur") $(compgen -d -- "$cur"))
    elif [[ $placeholder == *DIR* ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY+=($(compgen -d -- "$cur"))
    fi
}

_ctapp() {
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s -n : || return
    else
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
    fi
    local ctapp=${words[0]} i command="" command_at=0
    COMPREPLY=()

    # The global options, then the command.
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --root) ((i++)) ;;
            -*) ;;
            *) command=${words[i]} command_at=$i; break ;;
        esac
    done
    if [[ -z $command ]]; then
        if [[ $prev == --root ]]; then
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$cur"))
        elif [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--root --help --version' -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_ctapp_commands "$ctapp")" -- "$cur"))
        fi
        return
    fi

    local usage option placeholder
    usage=$(_ctapp_usage "$ctapp" "$command")
    local -A option_value=()
    local -a options=()
    while read -r option placeholder; do
        [[ -n $option ]] || continue
        options+=("$option")
        [[ -n $placeholder ]] && option_value[${option%=}]=$placeholder
    done < <(_ctapp_usage_options "$usage")

    # The value of an option ("--opt VALUE", or "--opt=VALUE" split by
    # _init_completion).
    if [[ -n ${option_value[$prev]+set} ]] && { $split || [[ ${words[cword - 1]} != *= ]]; }; then
        _ctapp_complete_placeholder "$ctapp" "${option_value[$prev]}" "$cur"
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "${options[*]} --help" -- "$cur"))
        [[ ${COMPREPLY[*]} == *= ]] && compopt -o nospace 2>/dev/null
        return
    fi

    # Which positional word this is: options and their values do not count.
    local -a positionals=()
    mapfile -t positionals < <(_ctapp_usage_positionals "$usage")
    local position=0 word
    for ((i = command_at + 1; i < cword; i++)); do
        word=${words[i]}
        if [[ $word == -* ]]; then
            [[ $word != *=* && -n ${option_value[$word]+set} ]] && ((i++))
        else
            ((position++))
        fi
    done
    ((${#positionals[@]})) || return
    if ((position >= ${#positionals[@]})); then
        placeholder=${positionals[-1]}
        [[ $placeholder == *... ]] || return
    else
        placeholder=${positionals[position]}
    fi
    _ctapp_complete_placeholder "$ctapp" "$placeholder" "$cur"
}

complete -F _ctapp ctapp
