#!/bin/bash

__servreg_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__servreg_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__servreg_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__servreg_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_servreg() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")
    # servreg: options before the command name (--store PATH, --json, -q) are the
    # command's, as in one-shot use: move them after it, once it is typed.
    local -a servreg_globals=()
    while true; do
        case "${unparsed_words[0]}" in
        --store)
            [[ "${#unparsed_words[@]}" -gt 2 ]] || break
            servreg_globals+=("${unparsed_words[@]:0:2}")
            unparsed_words=("${unparsed_words[@]:2}")
            ;;
        --store=*|--json|-q|--quiet)
            [[ "${#unparsed_words[@]}" -gt 1 ]] || break
            servreg_globals+=("${unparsed_words[0]}")
            unparsed_words=("${unparsed_words[@]:1}")
            ;;
        *) break ;;
        esac
    done
    if [[ "${#servreg_globals[@]}" -gt 0 && "${#unparsed_words[@]}" -gt 1 ]]; then
        unparsed_words=("${unparsed_words[0]}" "${servreg_globals[@]}" "${unparsed_words[@]:1}")
    fi

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __servreg_offer_flags_options 0

    # servreg: while the command name itself is being typed, offer command names.
    if [[ "${#unparsed_words[@]}" -le 1 && "${cur}" != -* ]]; then
        COMPREPLY+=($(compgen -W 'register get get-all props set-props unregister specs listen renew keepalive unget deps graph apply hook schema run shell export import help' -- "${cur}"))
        return
    fi
    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    register|get|get-all|props|set-props|unregister|specs|listen|renew|keepalive|unget|deps|graph|apply|hook|schema|run|shell|export|import|help)
        # Offer subcommand argument completions
        "_servreg_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'register get get-all props set-props unregister specs listen renew keepalive unget deps graph apply hook schema run shell export import help' -- "${cur}"))
        ;;
    esac
}

_servreg_register() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --once --version -h --help)
    repeating_options=(--prop --props-json --requires --hold --factory --release)
    non_repeating_options=(--store --cacert --cert --key --client --value --value-file --factory-timeout --ranking --scope --name --existing --ttl --owner-pid --stop-timeout)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--prop')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion register -- --prop "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--props-json')
        return
        ;;
    '--client')
        return
        ;;
    '--value')
        return
        ;;
    '--value-file')
        __servreg_add_completions -f
        return
        ;;
    '--factory-timeout')
        return
        ;;
    '--ranking')
        return
        ;;
    '--scope')
        __servreg_add_completions -W 'singleton'$'\n''bundle'$'\n''prototype'
        return
        ;;
    '--name')
        return
        ;;
    '--existing')
        __servreg_add_completions -W 'update'$'\n''replace'
        return
        ;;
    '--ttl')
        return
        ;;
    '--owner-pid')
        return
        ;;
    '--requires')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion register -- --requires "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--stop-timeout')
        return
        ;;
    '--hold')
        return
        ;;
    '--factory')
        return
        ;;
    '--release')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion register -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_get() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --include-unsatisfied --value --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key --filter --min --max --client)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--filter')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get -- --filter "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--min')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get -- --min "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--max')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get -- --max "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--client')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_get-all() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --include-unsatisfied --count --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key --filter --min --max --limit --registered-by)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--filter')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get-all -- --filter "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--min')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get-all -- --min "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--max')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get-all -- --max "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--limit')
        return
        ;;
    '--registered-by')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion get-all -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_props() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --value --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key --client)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--client')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion props -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_set-props() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --replace --version -h --help)
    repeating_options=(--prop --props-json --unset)
    non_repeating_options=(--store --cacert --cert --key --if-rev --ttl --value --value-file)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--prop')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion set-props -- --prop "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--props-json')
        return
        ;;
    '--unset')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion set-props -- --unset "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--if-rev')
        return
        ;;
    '--ttl')
        return
        ;;
    '--value')
        return
        ;;
    '--value-file')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion set-props -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    *)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion set-props -- positional@1 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_unregister() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --dry-run --include-unsatisfied --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key --filter --if-rev)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--filter')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion unregister -- --filter "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--if-rev')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion unregister -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_specs() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion specs -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_listen() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --initial --exec-fail-stop --version -h --help)
    repeating_options=(--exec)
    non_repeating_options=(--store --cacert --cert --key --filter --since --count --timeout)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--filter')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion listen -- --filter "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--since')
        return
        ;;
    '--count')
        return
        ;;
    '--timeout')
        return
        ;;
    '--exec')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion listen -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_renew() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion renew -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_keepalive() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion keepalive -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_unget() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key --client --value --value-file)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--client')
        return
        ;;
    '--value')
        return
        ;;
    '--value-file')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion unget -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_deps() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion deps -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_graph() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --dot --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion graph -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_apply() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --prune --diff --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __servreg_add_completions -f
        return
        ;;
    esac
}

_servreg_hook() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key --spec --name --timeout)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    '--spec')
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion hook -- --spec "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    '--name')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -W 'add'$'\n''list'$'\n''rm'
        return
        ;;
    2)
        __servreg_add_completions -W 'before'$'\n''after'
        return
        ;;
    3)
        __servreg_add_completions -W 'register'$'\n''set-props'$'\n''unregister'
        return
        ;;
    esac
}

_servreg_schema() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --closed --check --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __servreg_add_completions -W "$(__servreg_custom_complete ---completion schema -- positional@0 "${COMP_CWORD}" "$(__servreg_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_servreg_run() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --keep-going --atomic -x --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -f
        return
        ;;
    esac
}

_servreg_shell() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac
}

_servreg_export() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac
}

_servreg_import() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--store --cacert --cert --key)
    __servreg_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--store')
        __servreg_add_completions -o plusdirs -fX '!*.@(db)'
        return
        ;;
    '--cacert')
        __servreg_add_completions -f
        return
        ;;
    '--cert')
        __servreg_add_completions -f
        return
        ;;
    '--key')
        __servreg_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __servreg_add_completions -f
        return
        ;;
    esac
}

_servreg_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __servreg_offer_flags_options -1
}

complete -o filenames -F _servreg servreg